/**
 * Outbox throughput against the fake HubSpot at HubSpot's default burst limit (100 requests per
 * rolling 10 s for a private app): writes delivered per second while staying under the limit, the
 * most requests seen in any rolling 10 s, and the 429s Guardline's own pacing caused (target 0).
 */
import pino from 'pino';
import { loadCrmConfig } from '../src/crm/config.ts';
import { createCrmWorker } from '../src/crm/runtime.ts';
import { EXTRA_PROPERTIES, openTestStore, sessionMeta, tempDir, write } from '../test/crm-harness.ts';
import { startFakeHubspot } from '../test/fakes/hubspot/index.ts';
import { atLeast, atMost, type Bench } from './harness.ts';

const LIMIT = 100;
const CREATES = 120;
const UPDATES = 60;

const bench: Bench = {
  name: 'crm',
  description: `CRM outbox: ${CREATES} creates + ${UPDATES} updates through the worker to the fake HubSpot at ${LIMIT} req/10 s`,
  async run() {
    const tmp = tempDir();
    const fake = await startFakeHubspot({ extraProperties: EXTRA_PROPERTIES, limits: { per10s: LIMIT } });
    const store = await openTestStore(tmp.dir);
    try {
      const contacts = Array.from({ length: UPDATES }, (_, i) => fake.state.seed('contacts', { phone: `555-${i}` }));
      await store.sessions.create(sessionMeta({ contactId: contacts[0]?.id }), 'p-bench', 1);
      const now = Date.now();
      for (let i = 0; i < CREATES; i++) {
        await store.outbox.enqueue(
          write({
            id: `c-${i}`,
            object: 'note',
            createdAt: now,
            properties: { hs_timestamp: String(now), hs_note_body: `n${i}` },
          }),
        );
      }
      for (const [i, c] of contacts.entries()) {
        await store.outbox.enqueue(
          write({ id: `u-${i}`, object: 'contact', objectId: c.id, createdAt: now, properties: { phone: `1-${i}` } }),
        );
      }
      const config = loadCrmConfig({
        HUBSPOT_ACCESS_TOKEN: fake.token,
        HUBSPOT_BASE_URL: fake.url,
        HUBSPOT_RATE_LIMIT_PER_10S: String(LIMIT),
      });
      const worker = createCrmWorker(store, config, pino({ level: 'silent' }), { pollMs: 20, concurrency: 4 });
      const started = performance.now();
      worker.start();
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        if ((await store.outbox.list({ status: 'pending' })).length === 0) break;
      }
      const seconds = (performance.now() - started) / 1000;
      await worker.stop();
      const delivered = (await store.outbox.list({ status: 'delivered' })).length;
      const times = fake.requests.map((r) => r.at).sort((a, b) => a - b);
      let peak = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while ((times[i] as number) - (times[j] as number) >= 10_000) j++;
        peak = Math.max(peak, i - j + 1);
      }
      return [
        atLeast(
          { name: 'crm', metric: 'writes delivered per second', value: delivered / seconds, unit: 'writes/s' },
          6,
        ),
        { name: 'crm', metric: 'requests per second', value: times.length / seconds, unit: 'req/s' },
        atMost({ name: 'crm', metric: 'most requests in any rolling 10 s', value: peak, unit: 'requests' }, LIMIT),
        atMost({ name: 'crm', metric: "429s caused by Guardline's pacing", value: fake.organic429(), unit: '429s' }, 0),
        atLeast({ name: 'crm', metric: 'writes delivered', value: delivered, unit: 'writes' }, CREATES + UPDATES),
      ];
    } finally {
      await store.close();
      await fake.close();
      tmp.remove();
    }
  },
};

export default bench;
