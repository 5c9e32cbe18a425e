/** `POST /v1/crm-writes/:id/rollback` (issue 6) on a real server: managers only, gated, audited, queued once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, userToken } from './approvals-api-support.ts';
import { sessionMeta, write } from './crm-harness.ts';
import { SECRET, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  const store = server.gl.store;
  await store.sessions.create(sessionMeta({ sessionId: 's-rb', contactId: '51' }), 'p-test', 1_000);
  await store.outbox.enqueue(
    write({ id: 'w-rb', sessionId: 's-rb', object: 'contact', objectId: '51', properties: { phone: '555-0199' } }),
  );
  await store.outbox.recordPrevious('w-rb', { phone: '555-0100' }, 1_500);
  await store.outbox.markDelivered('w-rb', { hubspotId: '51', now: 2_000 });
  await store.outbox.enqueue(write({ id: 'w-pending', sessionId: 's-rb', object: 'contact', objectId: '51' }));
});
afterAll(async () => {
  await server?.close();
});

describe('POST /v1/crm-writes/:id/rollback', () => {
  it('refuses reps and approvers (403 GL_AUTH_ROLE) and changes nothing', async () => {
    for (const roles of [['rep'], ['approver']] as const) {
      const refused = await api(server.url, 'POST', '/v1/crm-writes/w-rb/rollback', await userToken('u', [...roles]), {
        reason: 'wrong number',
      });
      expect(refused).toMatchObject({ status: 403, json: { code: 'GL_AUTH_ROLE' } });
    }
    expect(await server.gl.store.outbox.get('w-rb.rollback')).toBeNull();
  });

  it('refuses a manager of another tenant as if the write did not exist (404), and changes nothing', async () => {
    const outsider = await userToken('omar', ['manager'], SECRET, 'globex');
    const refused = await api(server.url, 'POST', '/v1/crm-writes/w-rb/rollback', outsider, { reason: 'wrong number' });
    expect(refused).toMatchObject({ status: 404, json: { code: 'GL_CRM_WRITE_NOT_FOUND' } });
    expect(await server.gl.store.outbox.get('w-rb.rollback')).toBeNull();
  });

  it('lets a manager roll back a delivered update once: decision recorded, restoring write queued', async () => {
    const manager = await userToken('maria', ['manager']);
    const done = await api(server.url, 'POST', '/v1/crm-writes/w-rb/rollback', manager, { reason: 'wrong number' });
    expect(done).toMatchObject({
      status: 200,
      json: {
        decision: { outcome: 'allow', rationale: [{ rule: 'crm.rollback.manager_only' }] },
        rollbackWrite: { id: 'w-rb.rollback', status: 'pending', properties: { phone: '555-0100' } },
      },
    });
    const audited = await server.gl.store.audit.listBySession('s-rb');
    expect(audited.filter((e) => e.kind === 'decision' && e.actor === 'human:maria')).toHaveLength(1);
    const again = await api(server.url, 'POST', '/v1/crm-writes/w-rb/rollback', manager, { reason: 'again please' });
    expect(again).toMatchObject({ status: 409, json: { code: 'GL_CRM_ROLLBACK_REFUSED' } });
    const pending = await api(server.url, 'POST', '/v1/crm-writes/w-pending/rollback', manager, { reason: 'undo it' });
    expect(pending).toMatchObject({ status: 409, json: { code: 'GL_CRM_ROLLBACK_REFUSED' } });
    const unknown = await api(server.url, 'POST', '/v1/crm-writes/nope/rollback', manager, { reason: 'undo it' });
    expect(unknown).toMatchObject({ status: 404, json: { code: 'GL_CRM_WRITE_NOT_FOUND' } });
    const noReason = await api(server.url, 'POST', '/v1/crm-writes/w-rb/rollback', manager, {});
    expect(noReason).toMatchObject({ status: 400, json: { code: 'GL_REQUEST_INVALID' } });
  });
});
