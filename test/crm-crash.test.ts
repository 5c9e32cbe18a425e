import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/types.ts';
import { createsOf, EXTRA_PROPERTIES, openTestStore, sessionMeta, tempDir, write } from './crm-harness.ts';
import { type FakeHubspot, startFakeHubspot } from './fakes/hubspot/index.ts';

const CHILD = fileURLToPath(new URL('./crm-worker-child.ts', import.meta.url));

let fake: FakeHubspot;
let tmp: ReturnType<typeof tempDir>;
afterEach(async () => {
  await fake?.close();
  tmp?.remove();
});

function runWorker(dir: string): {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: string | null }>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      GUARDLINE_DATA_DIR: dir,
      DATABASE_URL: '',
      HUBSPOT_ACCESS_TOKEN: fake.token,
      HUBSPOT_BASE_URL: fake.url,
      HUBSPOT_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) process.stderr.write(stderr);
      resolve({ code, signal });
    }),
  );
  return { child, exit };
}

/** Sets up the store with one session and the given writes, then closes it for the child. */
async function prepare(setup: (store: Store) => Promise<void>): Promise<void> {
  const store = await openTestStore(tmp.dir);
  await setup(store);
  await store.close();
}

async function inspect<T>(read: (store: Store) => Promise<T>): Promise<T> {
  const store = await openTestStore(tmp.dir);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

describe('CRM worker killed (SIGKILL) between the HubSpot call and the outbox update', () => {
  it('delivers a create exactly once after a restart (found again by its write id)', async () => {
    tmp = tempDir();
    fake = await startFakeHubspot({ extraProperties: EXTRA_PROPERTIES });
    const contact = fake.state.seed('contacts', { email: 'pat@example.com' });
    await prepare(async (store) => {
      await store.sessions.create(sessionMeta({ contactId: contact.id }), 'p-test', 1_000);
      await store.outbox.enqueue(
        write({
          id: 'w-crash-create',
          object: 'note',
          properties: { hs_timestamp: '2026-01-01T00:00:00Z', hs_note_body: 'hello' },
        }),
      );
    });

    const first = runWorker(tmp.dir);
    const stop = fake.onApplied((w) => {
      if (w.op === 'create') first.child.kill('SIGKILL'); // before the fake answers
    });
    expect((await first.exit).signal).toBe('SIGKILL');
    stop();
    expect(createsOf(fake, 'w-crash-create')).toBe(1);
    expect(await inspect((s) => s.outbox.get('w-crash-create'))).toMatchObject({ status: 'pending', attempts: 1 });

    expect((await runWorker(tmp.dir).exit).code).toBe(0);
    const row = await inspect((s) => s.outbox.get('w-crash-create'));
    const created = fake.state.list('notes');
    expect(created).toHaveLength(1);
    expect(createsOf(fake, 'w-crash-create')).toBe(1);
    expect(row).toMatchObject({ status: 'delivered', hubspotId: created[0]?.id, attempts: 2 });
    expect(created[0]?.associations).toEqual([{ toType: 'contacts', toId: contact.id, typeId: 202 }]);
  });

  it('keeps the value an update replaced (stored before the PATCH) across the crash', async () => {
    tmp = tempDir();
    fake = await startFakeHubspot({ extraProperties: EXTRA_PROPERTIES });
    const contact = fake.state.seed('contacts', { email: 'pat@example.com', phone: '555-0100' });
    await prepare(async (store) => {
      await store.sessions.create(sessionMeta({ contactId: contact.id }), 'p-test', 1_000);
      await store.outbox.enqueue(
        write({ id: 'w-crash-update', object: 'contact', objectId: contact.id, properties: { phone: '555-0199' } }),
      );
    });

    const first = runWorker(tmp.dir);
    const stop = fake.onApplied((w) => {
      if (w.op === 'update') first.child.kill('SIGKILL');
    });
    expect((await first.exit).signal).toBe('SIGKILL');
    stop();
    expect(await inspect((s) => s.outbox.get('w-crash-update'))).toMatchObject({
      status: 'pending',
      previous: { phone: '555-0100' },
    });

    expect((await runWorker(tmp.dir).exit).code).toBe(0);
    expect(await inspect((s) => s.outbox.get('w-crash-update'))).toMatchObject({
      status: 'delivered',
      previous: { phone: '555-0100' },
    });
    const writes = fake.state.writesTo('contacts', contact.id);
    expect(writes.map((w) => w.properties)).toEqual([{ phone: '555-0199' }, { phone: '555-0199' }]);
  });
});
