/**
 * The runtime's CRM worker as a separate process, for the crash test: finds the store and HubSpot
 * like the runtime (GUARDLINE_DATA_DIR / DATABASE_URL, HUBSPOT_*), delivers the outbox and exits
 * once nothing is pending. The test SIGKILLs it mid-delivery.
 */
import pino from 'pino';
import { loadCrmConfig } from '../src/crm/config.ts';
import { createCrmWorker } from '../src/crm/runtime.ts';
import { openStore, storeConfigFromEnv } from '../src/store/index.ts';

const store = await openStore(storeConfigFromEnv(process.env), { onKeyGenerated: () => {} });
const worker = createCrmWorker(store, loadCrmConfig(process.env), pino({ level: 'silent' }), {
  pollMs: 50,
  leaseMs: Number(process.env.TEST_LEASE_MS ?? 1_000),
  baseBackoffMs: 100,
  searchSettleMs: 200,
});
worker.start();
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  if ((await store.outbox.list({ status: 'pending' })).length === 0) break;
}
await worker.stop();
await store.close();
process.exit(0);
