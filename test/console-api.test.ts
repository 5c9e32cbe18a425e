/** The console's JSON API: access rules per GUARDLINE_CONSOLE mode, approvals, policy tuning, the sample call. */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import type { ApprovalResultMessage } from '../src/client/protocol.ts';
import { disclosureText, helloSession, policyFile, SECRET, startServer, type TestServer } from './server-harness.ts';

const WRITE = { 'content-type': 'application/json', 'x-guardline-console': '1' };

describe('console in local mode (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      policy: (dir) => policyFile(dir, { approval_wait_seconds: 30, silence_seconds: 30 }),
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const inject = (opts: InjectOptions) => server.gl.app.inject(opts);

  it('serves the page and acts as the local manager for loopback clients', async () => {
    const page = await inject({ url: '/console' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect((await inject({ url: '/console/console.js' })).headers['content-type']).toContain('javascript');
    const who = await inject({ url: '/console/api/whoami' });
    expect(who.json()).toEqual({ mode: 'local', user: { id: 'console@localhost', roles: ['manager'] } });
  });

  it('refuses non-loopback clients, foreign Host names, and writes not from the page', async () => {
    const remote = await inject({ url: '/console/api/sessions', remoteAddress: '10.1.2.3' });
    expect([remote.statusCode, remote.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    const rebound = await inject({ url: '/console/api/sessions', headers: { host: 'evil.example:3000' } });
    expect([rebound.statusCode, rebound.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    const mapped = await inject({ url: '/console/api/whoami', remoteAddress: '::ffff:127.0.0.1' });
    expect(mapped.statusCode).toBe(200);
    const noHeader = await inject({ method: 'POST', url: '/console/api/sample-call', payload: {} });
    expect([noHeader.statusCode, noHeader.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    const crossSite = await inject({
      method: 'POST',
      url: '/console/api/sample-call',
      headers: { ...WRITE, host: 'localhost:3000', origin: 'http://evil.example' },
      payload: {},
    });
    expect([crossSite.statusCode, crossSite.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
  });

  it('denies a held concession with a reason; the agent gets approval_result denied', async () => {
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-api', ['closing']),
      session: helloSession(),
    });
    await agent.propose('say', { text: disclosureText() });
    const held = await agent.propose('concession', { type: 'percent_off', value: 20 });
    const id = held.approval?.id as string;
    const listed = await inject({ url: '/console/api/approvals' });
    expect(listed.json().pending.map((a: { id: string }) => a.id)).toContain(id);
    const url = `/console/api/approvals/${encodeURIComponent(id)}/deny`;
    const short = await inject({ method: 'POST', url, headers: WRITE, payload: { reason: 'no' } });
    expect([short.statusCode, short.json().code]).toEqual([400, 'GL_CONSOLE_INPUT_INVALID']);
    const result = agent.waitFor((m) => m.type === 'approval_result') as Promise<ApprovalResultMessage>;
    const denied = await inject({ method: 'POST', url, headers: WRITE, payload: { reason: 'too deep a discount' } });
    expect(denied.json()).toMatchObject({ status: 'denied', changed: true });
    expect(await result).toMatchObject({ approvalId: id, status: 'denied' });
    const again = await inject({
      method: 'POST',
      url: url.replace('/deny', '/approve'),
      headers: WRITE,
      payload: { reason: 'changed my mind' },
    });
    expect([again.statusCode, again.json().code]).toEqual([409, 'GL_APPROVAL_CLOSED']);
    const detail = await inject({ url: `/console/api/sessions/${encodeURIComponent(agent.sessionId)}` });
    expect(detail.json().decisions.map((d: { outcome: string }) => d.outcome)).toContain('needs_approval');
    expect((await inject({ url: '/console/api/sessions/nope' })).statusCode).toBe(404);
    await agent.close();
  });

  it('publishes a tuned policy as a new active version with author and reason; new sessions start on it', async () => {
    const before = (await inject({ url: '/console/api/policy' })).json();
    expect(before.active.timeouts.silence_seconds).toBe(30);
    const bad = await inject({
      method: 'POST',
      url: '/console/api/policy',
      headers: WRITE,
      payload: { reason: 'widen', concessions: { closing: { auto_max_percent: 40 } } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'GL_POLICY_INVALID' });
    expect(bad.json().details.issues[0].path).toBe('roles.closing.concessions.auto_max_percent');
    const unknown = await inject({
      method: 'POST',
      url: '/console/api/policy',
      headers: WRITE,
      payload: { reason: 'x y z', timeouts: { nap_seconds: 3 } },
    });
    expect(unknown.json().code).toBe('GL_CONSOLE_INPUT_INVALID');
    const tuned = await inject({
      method: 'POST',
      url: '/console/api/policy',
      headers: WRITE,
      payload: {
        reason: 'tighter discounts',
        timeouts: { silence_seconds: 25 },
        concessions: { closing: { auto_max_percent: 8 } },
      },
    });
    expect(tuned.json()).toMatchObject({ changed: true, status: 'active' });
    const version = tuned.json().version as string;
    const row = await server.gl.store.policies.getActive();
    expect(row).toMatchObject({
      id: version,
      author: 'console@localhost',
      reason: 'tighter discounts',
      parent: before.active.version,
    });
    expect(row?.yaml).toContain('silence_seconds: 25');
    expect(row?.yaml).toContain('# nobody spoke'); // comments kept
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-api', ['closing']),
      session: helloSession(),
    });
    expect(agent.ready.policyVersion).toBe(version);
    await agent.propose('say', { text: disclosureText() });
    expect((await agent.propose('concession', { type: 'percent_off', value: 9 })).outcome).toBe('needs_approval');
    await agent.close();
    const same = await inject({
      method: 'POST',
      url: '/console/api/policy',
      headers: WRITE,
      payload: { reason: 'no-op', timeouts: { silence_seconds: 25 } },
    });
    expect(same.json()).toEqual({ changed: false, status: 'unchanged', version });
  });

  it('plays the sample call through the agent protocol: decisions flow and a concession waits for approval', async () => {
    const played = await inject({ method: 'POST', url: '/console/api/sample-call', headers: WRITE, payload: {} });
    expect(played.statusCode).toBe(200);
    const { sessionId } = played.json() as { sessionId: string };
    await expect
      .poll(
        async () =>
          (await inject({ url: '/console/api/approvals' }))
            .json()
            .pending.filter((a: { sessionId: string }) => a.sessionId === sessionId).length,
        { timeout: 20_000, interval: 250 },
      )
      .toBe(1);
    const detail = (await inject({ url: `/console/api/sessions/${encodeURIComponent(sessionId)}` })).json();
    expect(detail.session).toMatchObject({ agentId: 'sample-agent', role: 'closing', live: true });
    expect(detail.decisions.map((d: { outcome: string }) => d.outcome)).toEqual(
      expect.arrayContaining(['allow', 'needs_approval']),
    );
    const signals = (await inject({ url: '/console/api/signals?bucket=60000' })).json();
    expect(signals.options.agents).toContain('sample-agent');
    expect(signals.totals.decisions).toBeGreaterThan(0);
    const bad = await inject({ url: '/console/api/signals?bucket=5' });
    expect(bad.json().code).toBe('GL_CONSOLE_INPUT_INVALID');
  }, 30_000);
});

describe('console in token mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { GUARDLINE_CONSOLE: 'token' } });
  });
  afterAll(async () => {
    await server?.close();
  });
  const user = (roles: ('rep' | 'approver' | 'manager')[]) =>
    mintToken(SECRET, { kind: 'user', userId: `u-${roles.join('-')}`, roles }, { ttlSeconds: 600 });

  it('takes a user token from any address, refuses none, an agent token, or a missing role', async () => {
    const app = server.gl.app;
    const none = await app.inject({ url: '/console/api/whoami' });
    expect([none.statusCode, none.json().code]).toEqual([401, 'GL_AUTH_MISSING']);
    const agent = await app.inject({
      url: '/console/api/whoami',
      headers: { authorization: `Bearer ${await server.agentToken()}` },
    });
    expect([agent.statusCode, agent.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
    const manager = await app.inject({
      url: '/console/api/whoami',
      remoteAddress: '10.1.2.3',
      headers: { authorization: `Bearer ${await user(['manager'])}`, host: 'guardline.example' },
    });
    expect(manager.json()).toEqual({ mode: 'token', user: { id: 'u-manager', roles: ['manager'] } });
    const rep = await app.inject({
      method: 'POST',
      url: '/console/api/policy',
      headers: { ...WRITE, authorization: `Bearer ${await user(['rep'])}` },
      payload: { reason: 'reps cannot tune', timeouts: { silence_seconds: 9 } },
    });
    expect([rep.statusCode, rep.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
  });

  it("shows a tenant's user that tenant's sessions, approvals, suspensions and signals only, and acts on them only", async () => {
    const app = server.gl.app;
    const call = async (tenant: string) => {
      const agent = await GuardlineAgent.connect({
        url: server.url,
        token: await server.agentToken(`agent-${tenant}`, ['closing'], { tenant }),
        session: helloSession(),
      });
      await agent.propose('say', { text: disclosureText() });
      const held = await agent.propose('concession', { type: 'percent_off', value: 20 });
      return { agent, approvalId: held.approval?.id as string };
    };
    const acme = await call('acme');
    const beta = await call('beta');
    const as = async (tenantId: string | undefined) => {
      const token = await mintToken(
        SECRET,
        { kind: 'user', userId: `boss-${tenantId ?? 'all'}`, roles: ['manager'], ...(tenantId ? { tenantId } : {}) },
        { ttlSeconds: 600 },
      );
      return (url: string, write?: object) =>
        app.inject({
          url: `/console/api${url}`,
          ...(write ? { method: 'POST' as const, payload: write } : {}),
          headers: { ...(write ? WRITE : {}), authorization: `Bearer ${token}` },
        });
    };
    const betaBoss = await as('beta');
    const operator = await as(undefined);
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

    expect((await betaBoss('/whoami')).json().user).toMatchObject({ tenantId: 'beta' });
    const sessions = (await betaBoss('/sessions')).json();
    expect(ids(sessions.live)).toContain(beta.agent.sessionId);
    expect(ids([...sessions.live, ...sessions.recent])).not.toContain(acme.agent.sessionId);
    expect((await betaBoss(`/sessions/${encodeURIComponent(acme.agent.sessionId)}`)).statusCode).toBe(404);
    expect((await betaBoss(`/sessions/${encodeURIComponent(beta.agent.sessionId)}`)).statusCode).toBe(200);
    expect(ids((await betaBoss('/approvals')).json().pending)).toEqual([beta.approvalId]);
    const foreignVote = await betaBoss(`/approvals/${encodeURIComponent(acme.approvalId)}/approve`, {
      reason: 'not mine to approve',
    });
    expect([foreignVote.statusCode, foreignVote.json().code]).toEqual([404, 'GL_APPROVAL_NOT_FOUND']);
    expect((await betaBoss('/suspensions')).json().choices.tenant).toEqual(['beta']);
    const foreignSuspend = await betaBoss('/suspensions', { scope: 'tenant', target: 'acme', reason: 'not mine' });
    expect([foreignSuspend.statusCode, foreignSuspend.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
    const tuning = await betaBoss('/policy', { reason: 'shared by every tenant', timeouts: { silence_seconds: 9 } });
    expect([tuning.statusCode, tuning.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
    expect((await betaBoss('/signals')).json().options.agents).toEqual(['agent-beta']);

    // An operator (no tenant in the token) sees and acts on every tenant's.
    expect(ids((await operator('/approvals')).json().pending)).toEqual(
      expect.arrayContaining([acme.approvalId, beta.approvalId]),
    );
    expect((await operator('/signals')).json().options.agents).toEqual(['agent-acme', 'agent-beta']);
    const vote = await operator(`/approvals/${encodeURIComponent(acme.approvalId)}/deny`, { reason: 'too deep' });
    expect(vote.json()).toMatchObject({ status: 'denied', changed: true });
    await Promise.all([acme.agent.close(), beta.agent.close()]);
  });
});

describe('console turned off', () => {
  it('is not served', async () => {
    const server = await startServer({ env: { GUARDLINE_CONSOLE: 'off' } });
    try {
      const page = await server.gl.app.inject({ url: '/console' });
      expect([page.statusCode, page.json().code]).toEqual([404, 'GL_CONSOLE_OFF']);
      expect((await server.gl.app.inject({ url: '/console/api/whoami' })).statusCode).toBe(404);
    } finally {
      await server.close();
    }
  });
});
