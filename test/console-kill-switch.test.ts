/** The console's kill switch API (`/console/api/suspensions`): validation, access rules, hold / end_call / resume. */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { disclosureText, helloSession, policyFile, SECRET, startServer, type TestServer } from './server-harness.ts';

const WRITE = { 'content-type': 'application/json', 'x-guardline-console': '1' };

async function connect(server: TestServer, agentId: string, tenant = 'acme') {
  const agent = await GuardlineAgent.connect({
    url: server.url,
    token: await server.agentToken(agentId, ['closing'], { tenant }),
    session: helloSession(),
  });
  expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  return agent;
}

describe('console kill switch (local mode)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({
      policy: (dir) => policyFile(dir, { approval_wait_seconds: 60, silence_seconds: 60 }),
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  const inject = (opts: InjectOptions) => server.gl.app.inject(opts);
  const post = (url: string, payload: unknown, headers: Record<string, string> = WRITE) =>
    inject({ method: 'POST', url: `/console/api${url}`, headers, payload: payload as Record<string, unknown> });

  it('offers the agents, roles and tenants of live sessions, and refuses malformed or foreign writes', async () => {
    const agent = await connect(server, 'agent-ks-choices', 'tenant-ks');
    const view = (await inject({ url: '/console/api/suspensions' })).json();
    expect(view.choices.agent).toContain('agent-ks-choices');
    expect(view.choices.role).toContain('closing');
    expect(view.choices.tenant).toContain('tenant-ks');
    expect(view.active).toEqual([]);

    const invalid = [
      { scope: 'agent', target: 'agent-ks-choices' }, // no reason
      { scope: 'agent', target: 'agent-ks-choices', reason: 'no' }, // too short
      { scope: 'planet', target: 'earth', reason: 'too broad' },
      { scope: 'agent', target: '  ', reason: 'blank target' },
      { scope: 'agent', target: 'agent-ks-choices', reason: 'extra', action: 'hold' }, // unknown field
      { scope: 'agent', target: 'agent-ks-choices', reason: 'a string', endCalls: 'yes' },
    ];
    for (const body of invalid) {
      const res = await post('/suspensions', body);
      expect([res.statusCode, res.json().code], JSON.stringify(body)).toEqual([400, 'GL_CONSOLE_INPUT_INVALID']);
    }
    const noHeader = await post(
      '/suspensions',
      { scope: 'agent', target: 'agent-ks-choices', reason: 'not from the page' },
      { 'content-type': 'application/json' },
    );
    expect([noHeader.statusCode, noHeader.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    const crossSite = await post(
      '/suspensions',
      { scope: 'agent', target: 'agent-ks-choices', reason: 'from another site' },
      { ...WRITE, host: 'localhost:3000', origin: 'http://evil.example' },
    );
    expect([crossSite.statusCode, crossSite.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    const remote = await inject({ url: '/console/api/suspensions', remoteAddress: '10.1.2.3' });
    expect([remote.statusCode, remote.json().code]).toEqual([403, 'GL_CONSOLE_FORBIDDEN']);
    expect(await server.gl.store.suspensions.listActive()).toEqual([]);
    expect(agent.directives.some((d) => d.kind === 'hold')).toBe(false);
    await agent.close();
  });

  it('suspends an agent (its live call gets hold), lists it, lifts it with a reason (resume)', async () => {
    const agent = await connect(server, 'agent-ks-hold');
    const bystander = await connect(server, 'agent-ks-bystander');
    const held = agent.directive('hold');
    const res = await post('/suspensions', { scope: 'agent', target: 'agent-ks-hold', reason: ' off-script pitch ' });
    expect(res.statusCode).toBe(201);
    const row = res.json();
    expect(row).toMatchObject({
      scope: 'agent',
      target: 'agent-ks-hold',
      action: 'hold',
      reason: 'off-script pitch',
      createdBy: 'human:console@localhost',
      liftedAt: null,
    });
    expect((await held).message).toContain('off-script pitch');

    const listed = (await inject({ url: '/console/api/suspensions' })).json();
    expect(listed.active).toEqual([expect.objectContaining({ id: row.id, liveSessions: 1 })]);
    expect(bystander.directives.some((d) => d.kind === 'hold')).toBe(false);

    const lift = `/suspensions/${encodeURIComponent(row.id)}/lift`;
    const short = await post(lift, { reason: 'ok' });
    expect([short.statusCode, short.json().code]).toEqual([400, 'GL_CONSOLE_INPUT_INVALID']);
    const resumed = agent.directive('resume');
    const lifted = await post(lift, { reason: 'coached, back on script' });
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json()).toMatchObject({
      id: row.id,
      liftedBy: 'human:console@localhost',
      liftReason: 'coached, back on script',
    });
    await resumed;
    const again = await post(lift, { reason: 'coached, back on script' });
    expect([again.statusCode, again.json().code]).toEqual([404, 'GL_SUSPENSION_NOT_FOUND']);
    expect((await inject({ url: '/console/api/suspensions' })).json().active).toEqual([]);
    await Promise.all([agent.close(), bystander.close()]);
  });

  it('ends the live calls of a suspended tenant when "end calls" is chosen', async () => {
    const agent = await connect(server, 'agent-ks-end', 'tenant-ks-end');
    const ended = agent.directive('end_call');
    const res = await post('/suspensions', {
      scope: 'tenant',
      target: 'tenant-ks-end',
      reason: 'compliance review',
      endCalls: true,
    });
    expect([res.statusCode, res.json().action]).toEqual([201, 'end_call']);
    expect((await ended).message).toContain('compliance review');
    await post(`/suspensions/${encodeURIComponent(res.json().id)}/lift`, { reason: 'review done' });
    await agent.close();
  });
});

describe('console kill switch (token mode)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { GUARDLINE_CONSOLE: 'token' } });
  });
  afterAll(async () => {
    await server?.close();
  });
  const bearer = async (roles: ('rep' | 'approver' | 'manager')[]) => ({
    authorization: `Bearer ${await mintToken(SECRET, { kind: 'user', userId: `u-${roles.join('-')}`, roles }, { ttlSeconds: 600 })}`,
  });
  const body = { scope: 'role', target: 'booking', reason: 'pricing error' };

  it('lets any user read, only a manager suspend or lift, and nobody without a token', async () => {
    const app = server.gl.app;
    const none = await app.inject({ url: '/console/api/suspensions' });
    expect([none.statusCode, none.json().code]).toEqual([401, 'GL_AUTH_MISSING']);
    const read = await app.inject({ url: '/console/api/suspensions', headers: await bearer(['rep']) });
    expect(read.statusCode).toBe(200);
    for (const roles of [['rep'], ['approver']] as const) {
      const refused = await app.inject({
        method: 'POST',
        url: '/console/api/suspensions',
        headers: { ...WRITE, ...(await bearer([...roles])) },
        payload: body,
      });
      expect([refused.statusCode, refused.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
    }
    expect(await server.gl.store.suspensions.listActive()).toEqual([]);
    const manager = await bearer(['manager']);
    const made = await app.inject({
      method: 'POST',
      url: '/console/api/suspensions',
      headers: { ...WRITE, ...manager },
      payload: body,
    });
    expect([made.statusCode, made.json().createdBy]).toEqual([201, 'human:u-manager']);
    const lift = `/console/api/suspensions/${encodeURIComponent(made.json().id)}/lift`;
    const repLift = await app.inject({
      method: 'POST',
      url: lift,
      headers: { ...WRITE, ...(await bearer(['rep'])) },
      payload: { reason: 'reps cannot lift' },
    });
    expect([repLift.statusCode, repLift.json().code]).toEqual([403, 'GL_AUTH_SCOPE']);
    const lifted = await app.inject({
      method: 'POST',
      url: lift,
      headers: { ...WRITE, ...manager },
      payload: { reason: 'prices fixed' },
    });
    expect([lifted.statusCode, lifted.json().liftedBy]).toEqual([200, 'human:u-manager']);
  });
});
