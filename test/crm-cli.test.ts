import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { openTestStore, sessionMeta, tempDir, write } from './crm-harness.ts';

let tmp: ReturnType<typeof tempDir>;
afterEach(() => tmp?.remove());

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d) => {
    o += String(d);
  });
  stderr.on('data', (d) => {
    e += String(d);
  });
  const code = await main(argv, { stdout, stderr, stdin: new PassThrough(), env: { GUARDLINE_DATA_DIR: tmp.dir } });
  return { code, out: o, err: e };
}

describe('guardline crm outbox / crm rollback', () => {
  it('lists writes with status, target, diff and error, finds the store through GUARDLINE_DATA_DIR, and rolls back', async () => {
    tmp = tempDir();
    const store = await openTestStore(tmp.dir);
    await store.sessions.create(sessionMeta(), 'p-test', 1_000);
    await store.outbox.enqueue(
      write({ id: 'w-nc', object: 'note', properties: { hs_note_body: 'hi', hs_timestamp: '1' } }),
    );
    await store.outbox.markNotConfigured('w-nc', { now: 2_000, error: 'HUBSPOT_ACCESS_TOKEN is not set' });
    await store.outbox.enqueue(
      write({ id: 'w-d', object: 'contact', objectId: '101', properties: { phone: '555-0199' } }),
    );
    await store.outbox.recordPrevious('w-d', { phone: '555-0100' }, 2_000);
    await store.outbox.markDelivered('w-d', { hubspotId: '101', now: 3_000 });
    await store.close();

    const text = await run(['crm', 'outbox']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('w-nc  NOT_CONFIGURED  new note');
    expect(text.out).toContain('not sent: HubSpot is not configured');
    expect(text.out).toContain('w-d  DELIVERED  contact 101');
    expect(text.out).toContain('phone: "555-0100" -> "555-0199"');

    const json = await run(['crm', 'outbox', '--status', 'delivered', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      expect.objectContaining({
        id: 'w-d',
        status: 'delivered',
        diff: { phone: { before: '555-0100', after: '555-0199' } },
      }),
    ]);
    expect((await run(['crm', 'outbox', '--status', 'sent'])).code).toBe(2);

    const rollback = await run(['crm', 'rollback', '--write', 'w-d', '--by', 'maria', '--reason', 'wrong number']);
    expect(rollback.code).toBe(0);
    expect(rollback.out).toContain('rollback of w-d queued as w-d.rollback');
    const pending = JSON.parse((await run(['crm', 'outbox', '--status', 'pending', '--json'])).out);
    expect(pending).toEqual([
      expect.objectContaining({ id: 'w-d.rollback', target: 'contact 101', diff: { phone: { after: '555-0100' } } }),
    ]);

    const again = await run(['crm', 'rollback', '--write', 'w-nc', '--by', 'maria']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('GL_CRM_ROLLBACK_REFUSED');
  });
});
