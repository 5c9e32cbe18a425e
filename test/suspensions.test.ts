import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent, GuardlineProtocolError } from '../src/client/index.ts';
import { type LocalServer, startLocalServer } from '../src/demo/server.ts';
import { DEFAULT_POLICY_PATH } from '../src/policy/index.ts';

const SECRET = 'suspensions-secret-0123456789abcdef0123';
const DISCLOSE = /disclosure_text: "([^"]+)"/.exec(readFileSync(DEFAULT_POLICY_PATH, 'utf8'))?.[1] as string;

let dir: string;
let server: LocalServer;
let manager: string;
let n = 0;

async function api(method: string, url: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function call(agentId: string, tenant = 'acme', role: 'booking' | 'closing' = 'closing') {
  n++;
  return GuardlineAgent.connect({
    url: server.url,
    token: await server.agentToken(agentId, [role], tenant),
    session: {
      callId: `susp-${n}-${Date.now()}`,
      channel: 'voice',
      direction: 'inbound',
      role,
      jurisdiction: 'NY',
      timezone: 'America/New_York',
    },
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardline-susp-'));
  server = await startLocalServer({ dataDir: dir, secret: SECRET });
  manager = await server.userToken('mgr-a', ['manager']);
});
afterAll(async () => {
  await server.gl.shutdown('test done');
  rmSync(dir, { recursive: true, force: true });
});

describe('kill switch', () => {
  it('suspending an agent holds its live session within a second, refuses its proposals and new sessions, and lifting resumes', async () => {
    const target = await call('agent-x');
    const bystander = await call('agent-y');
    await target.propose('say', { text: DISCLOSE });
    const res = await api('POST', '/v1/suspensions', manager, {
      scope: 'agent',
      target: 'agent-x',
      reason: 'bad pitch',
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    const hold = await target.directive('hold');
    expect(hold.message).toContain('bad pitch');
    await expect(target.propose('concession', { type: 'percent_off', value: 5 })).rejects.toMatchObject({
      code: 'GL_SUSPENDED',
    });
    await expect(call('agent-x')).rejects.toBeInstanceOf(GuardlineProtocolError);
    await expect(call('agent-x')).rejects.toMatchObject({ code: 'GL_SUSPENDED' });
    expect(bystander.directives.some((d) => d.kind === 'hold')).toBe(false);
    const lifted = await api('POST', `/v1/suspensions/${id}/lift`, manager, { reason: 'coached' });
    expect(lifted.status).toBe(200);
    await target.directive('resume');
    const fresh = await call('agent-x');
    await fresh.close();
    const audit = await server.gl.store.audit.range(1, 100_000);
    const kinds = audit.filter((e) => e.kind.startsWith('suspension_')).map((e) => [e.kind, e.actor]);
    expect(kinds).toEqual([
      ['suspension_set', 'human:mgr-a'],
      ['suspension_lifted', 'human:mgr-a'],
    ]);
    await target.close();
    await bystander.close();
  });

  it('a tenant suspension with end_call ends every live session of the tenant', async () => {
    const a = await call('agent-t1', 'globex');
    const b = await call('agent-t2', 'globex', 'booking');
    const other = await call('agent-t3', 'acme');
    const res = await api('POST', '/v1/suspensions', manager, {
      scope: 'tenant',
      target: 'globex',
      action: 'end_call',
      reason: 'compliance review',
    });
    expect(res.status).toBe(201);
    await Promise.all([a.directive('end_call'), b.directive('end_call')]);
    expect(other.directives.some((d) => d.kind === 'end_call')).toBe(false);
    await api('POST', `/v1/suspensions/${res.body.id as string}/lift`, manager, { reason: 'done' });
    for (const x of [a, b, other]) await x.close();
  });

  it('a manager of one tenant suspends and lifts within that tenant only', async () => {
    const { mintToken } = await import('../src/auth/index.ts');
    const managerOf = (tenantId: string) =>
      mintToken(SECRET, { kind: 'user', userId: `mgr-${tenantId}`, roles: ['manager'], tenantId }, { ttlSeconds: 600 });
    const [globexManager, acmeManager] = await Promise.all([managerOf('globex'), managerOf('acme')]);
    const theirs = await call('agent-r1', 'globex');
    const ours = await call('agent-r2', 'acme');
    const res = await api('POST', '/v1/suspensions', globexManager, {
      scope: 'role',
      target: 'closing',
      reason: 'pricing error',
    });
    expect(res).toMatchObject({ status: 201, body: { tenantId: 'globex' } });
    const id = res.body.id as string;
    await theirs.directive('hold');
    // The route answers after this node applied the suspension: acme's closing call would be held by now.
    expect(ours.directives.some((d) => d.kind === 'hold')).toBe(false);
    const seen = (await api('GET', '/v1/suspensions', acmeManager)).body.suspensions as { id: string }[];
    expect(seen.map((x) => x.id)).not.toContain(id);
    expect(await api('POST', `/v1/suspensions/${id}/lift`, acmeManager, { reason: 'not yours' })).toMatchObject({
      status: 404,
      body: { code: 'GL_SUSPENSION_NOT_FOUND' },
    });
    const elsewhere = await api('POST', '/v1/suspensions', globexManager, {
      scope: 'tenant',
      target: 'acme',
      reason: 'overreach',
    });
    expect(elsewhere).toMatchObject({ status: 403, body: { code: 'GL_AUTH_SCOPE' } });
    expect((await api('POST', `/v1/suspensions/${id}/lift`, globexManager, { reason: 'fixed' })).status).toBe(200);
    await theirs.directive('resume');
    await theirs.close();
    await ours.close();
  });

  it('a suspension set in the store by another node or the CLI reaches live sessions by polling', async () => {
    const a = await call('agent-cli', 'acme', 'booking');
    const { suspend } = await import('../src/suspensions/index.ts');
    const row = await suspend(
      server.gl.store,
      { scope: 'role', target: 'booking', action: 'hold', reason: 'from the CLI' },
      { actor: 'human:ops', at: Date.now() },
    );
    const hold = await a.directive('hold');
    expect(hold.message).toContain('from the CLI');
    await server.gl.store.suspensions.lift(row.id, { actor: 'human:ops', reason: 'ok', at: Date.now() });
    await a.directive('resume');
    await a.close();
  });

  it('needs the manager role and a valid body', async () => {
    const approver = await server.userToken('ap-1', ['approver']);
    expect((await api('POST', '/v1/suspensions', approver, { scope: 'agent', target: 'z', reason: 'r' })).status).toBe(
      403,
    );
    const bad = await api('POST', '/v1/suspensions', manager, { scope: 'planet', target: 'z', reason: 'r' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'GL_REQUEST_INVALID' } });
    const missing = await api('POST', '/v1/suspensions/susp-nope/lift', manager, { reason: 'r' });
    expect(missing).toMatchObject({ status: 404, body: { code: 'GL_SUSPENSION_NOT_FOUND' } });
  });
});
