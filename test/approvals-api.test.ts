/**
 * The approvals and sessions HTTP APIs (issue 5) on a real server: user JWTs and roles, the full
 * round trip to the live agent, and the races at the HTTP level (two approvers at once, approve after
 * expiry, replayed override, override on another session). The domain-level rules are in
 * test/approvals.test.ts.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent } from '../src/client/index.ts';
import type { Decision } from '../src/model/index.ts';
import { api, userToken } from './approvals-api-support.ts';
import { disclosureText, helloSession, policyFile, SECRET, startServer, type TestServer } from './server-harness.ts';
import { meta } from './store-fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ policy: (dir) => policyFile(dir, { silence_seconds: 60, approval_wait_seconds: 60 }) });
});
afterAll(async () => {
  await server?.close();
});

async function disclosedAgent(target: TestServer = server) {
  const a = await GuardlineAgent.connect({
    url: target.url,
    token: await target.agentToken(),
    session: helloSession(),
  });
  expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  return a;
}

/** An agent holding a 20% discount for approval (the closing role auto-allows 10%). */
async function heldConcession(target: TestServer = server) {
  const a = await disclosedAgent(target);
  const held = await a.propose('concession', { type: 'percent_off', value: 20 }, { id: 'big' });
  expect(held.outcome).toBe('needs_approval');
  return { agent: a, approvalId: held.approval?.id as string };
}

describe('authentication and roles', () => {
  it('refuses a missing, forged or agent token, and a rep who votes', async () => {
    expect((await api(server.url, 'GET', '/v1/approvals', null)).json.code).toBe('GL_AUTH_MISSING');
    const forged = `${(await userToken('a1', ['approver'])).slice(0, -4)}AAAA`;
    expect(await api(server.url, 'GET', '/v1/approvals', forged)).toMatchObject({
      status: 401,
      json: { code: 'GL_AUTH_INVALID' },
    });
    expect(await api(server.url, 'GET', '/v1/approvals', await server.agentToken())).toMatchObject({
      status: 403,
      json: { code: 'GL_AUTH_SCOPE' },
    });
    const { agent, approvalId } = await heldConcession();
    const rep = await userToken('rep-1', ['rep']);
    expect((await api(server.url, 'GET', `/v1/approvals/${approvalId}`, rep)).json.status).toBe('pending');
    const refused = await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, rep, { reason: 'sure' });
    expect(refused).toMatchObject({ status: 403, json: { code: 'GL_AUTH_ROLE' } });
    expect((await server.gl.store.approvals.get(approvalId))?.status).toBe('pending');
    await agent.close();
  });

  it('answers 400 GL_REQUEST_INVALID to a bad body or query and 404 to an unknown id', async () => {
    const approver = await userToken('appr-x', ['approver']);
    expect(await api(server.url, 'GET', '/v1/approvals?status=maybe', approver)).toMatchObject({
      status: 400,
      json: { code: 'GL_REQUEST_INVALID' },
    });
    expect(await api(server.url, 'POST', '/v1/approvals/x.approval/approve', approver, '{"reason":')).toMatchObject({
      status: 400,
      json: { code: 'GL_REQUEST_INVALID' },
    });
    expect(await api(server.url, 'POST', '/v1/approvals/x.approval/approve', approver, { reason: '' })).toMatchObject({
      status: 400,
      json: { code: 'GL_REQUEST_INVALID' },
    });
    expect(await api(server.url, 'POST', '/v1/approvals/nope/approve', approver, { reason: 'fine' })).toMatchObject({
      status: 404,
      json: { code: 'GL_APPROVAL_NOT_FOUND' },
    });
    expect(await api(server.url, 'GET', '/v1/sessions/nope', approver)).toMatchObject({
      status: 404,
      json: { code: 'GL_SESSION_NOT_FOUND' },
    });
  });
});

describe('approve over HTTP reaches the live agent', () => {
  it('lists, approves with identity and reason, tells the session at once, and the held proposal goes through', async () => {
    const { agent, approvalId } = await heldConcession();
    const approver = await userToken('appr-1', ['approver']);
    const pending = await api(server.url, 'GET', '/v1/approvals?status=pending', approver);
    expect((pending.json.approvals as { id: string }[]).map((a) => a.id)).toContain(approvalId);

    const result = agent.waitFor((m) => m.type === 'approval_result');
    const through = agent.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'big' && m.decision.outcome !== 'needs_approval',
    );
    const approved = await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, approver, {
      reason: 'Strategic logo',
    });
    expect(approved).toMatchObject({
      status: 200,
      json: {
        status: 'approved',
        changed: true,
        votes: [{ approverId: 'appr-1', verdict: 'approve', reason: 'Strategic logo' }],
        override: { id: `${approvalId}.override`, kind: 'concession' },
      },
    });
    expect(await result).toMatchObject({ approvalId, status: 'approved' });
    expect(await through).toMatchObject({ decision: { outcome: 'allow', overrideId: `${approvalId}.override` } });

    // A retry by the same approver changes nothing; a later vote by someone else is refused as closed.
    const again = await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, approver, { reason: 'retry' });
    expect(again).toMatchObject({ status: 200, json: { status: 'approved', changed: false } });
    const late = await api(
      server.url,
      'POST',
      `/v1/approvals/${approvalId}/deny`,
      await userToken('mgr-1', ['manager']),
      {
        reason: 'too late',
      },
    );
    expect(late).toMatchObject({ status: 409, json: { code: 'GL_APPROVAL_CLOSED' } });

    // The session read API shows the decisions and the approval.
    const session = await api(server.url, 'GET', `/v1/sessions/${agent.sessionId}`, await userToken('rep-2', ['rep']));
    expect(session.json).toMatchObject({ id: agent.sessionId, status: 'live' });
    expect((session.json.decisions as Decision[]).map((d) => d.outcome)).toEqual(['allow', 'needs_approval', 'allow']);
    expect(session.json.approvals).toMatchObject([{ id: approvalId, status: 'approved' }]);
    const live = await api(server.url, 'GET', '/v1/sessions?status=live&limit=50', await userToken('rep-2', ['rep']));
    expect((live.json.sessions as { id: string }[]).map((s) => s.id)).toContain(agent.sessionId);
    const decided = await api(server.url, 'GET', '/v1/approvals?status=approved', approver);
    expect((decided.json.approvals as { id: string; status: string }[]).find((a) => a.id === approvalId)).toMatchObject(
      {
        status: 'approved',
        override: { id: `${approvalId}.override` },
      },
    );
    const bySession = await api(
      server.url,
      'GET',
      `/v1/approvals?sessionId=${encodeURIComponent(agent.sessionId)}`,
      approver,
    );
    expect((bySession.json.approvals as { id: string }[]).map((a) => a.id)).toEqual([approvalId]);
    agent.event('call_ended');
    await agent.waitFor((m) => m.type === 'directive' || m.type === 'error', 2_000).catch(() => null);
    await agent.close();
    let ended: { id: string }[] = [];
    for (let i = 0; i < 50 && !ended.some((s) => s.id === agent.sessionId); i++) {
      ended = (await api(server.url, 'GET', '/v1/sessions?status=ended', approver)).json.sessions as { id: string }[];
      if (!ended.some((s) => s.id === agent.sessionId)) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(ended.map((s) => s.id)).toContain(agent.sessionId);
  });

  it('a deny reaches the agent and the held proposal stays denied', async () => {
    const { agent, approvalId } = await heldConcession();
    const result = agent.waitFor((m) => m.type === 'approval_result');
    const denied = await api(
      server.url,
      'POST',
      `/v1/approvals/${approvalId}/deny`,
      await userToken('mgr-2', ['manager']),
      {
        reason: 'Margin too thin',
      },
    );
    expect(denied).toMatchObject({ status: 200, json: { status: 'denied', override: null } });
    expect(await result).toMatchObject({ approvalId, status: 'denied' });
    await agent.close();
  });
});

describe('tenants', () => {
  it("a user of another tenant neither sees nor decides a tenant's request or session; a user of that tenant does", async () => {
    const { agent, approvalId } = await heldConcession(); // agent-1 of acme
    const outsider = await userToken('globex-approver', ['approver'], SECRET, 'globex');
    expect(await api(server.url, 'GET', `/v1/approvals/${approvalId}`, outsider)).toMatchObject({
      status: 404,
      json: { code: 'GL_APPROVAL_NOT_FOUND' },
    });
    const listed = (await api(server.url, 'GET', '/v1/approvals?status=pending', outsider)).json.approvals as {
      id: string;
    }[];
    expect(listed.map((a) => a.id)).not.toContain(approvalId);
    const refused = await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, outsider, { reason: 'sure' });
    expect(refused).toMatchObject({ status: 404, json: { code: 'GL_APPROVAL_NOT_FOUND' } });
    expect((await server.gl.store.approvals.get(approvalId))?.status).toBe('pending');
    // Nor the session it belongs to.
    expect(await api(server.url, 'GET', `/v1/sessions/${agent.sessionId}`, outsider)).toMatchObject({
      status: 404,
      json: { code: 'GL_SESSION_NOT_FOUND' },
    });
    const sessions = (await api(server.url, 'GET', '/v1/sessions?status=live', outsider)).json.sessions as {
      id: string;
    }[];
    expect(sessions.map((x) => x.id)).not.toContain(agent.sessionId);

    const insider = await userToken('acme-approver', ['approver'], SECRET, 'acme');
    const own = (await api(server.url, 'GET', '/v1/approvals?status=pending', insider)).json.approvals as {
      id: string;
    }[];
    expect(own.map((a) => a.id)).toContain(approvalId);
    expect((await api(server.url, 'GET', `/v1/sessions/${agent.sessionId}`, insider)).status).toBe(200);
    // Newer sessions of another tenant do not crowd a tenant's own out of its page.
    for (let i = 0; i < 3; i++) {
      await server.gl.store.sessions.create(
        meta(`globex-${i}-${Date.now()}`, { tenantId: 'globex' }),
        'policy-1',
        Date.now() + 60_000,
      );
    }
    const page = (await api(server.url, 'GET', '/v1/sessions?status=live&limit=1', insider)).json.sessions as {
      id: string;
    }[];
    expect(page).toHaveLength(1);
    const approved = await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, insider, {
      reason: 'fine by me',
    });
    expect(approved).toMatchObject({ status: 200, json: { status: 'approved' } });
    await agent.close();
  });
});

describe('races and misuse at the HTTP level', () => {
  it('two approvers at once on a one-approver request: exactly one decides', async () => {
    const { agent, approvalId } = await heldConcession();
    const [a, b] = await Promise.all([
      api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, await userToken('r-a', ['approver']), {
        reason: 'yes please',
      }),
      api(server.url, 'POST', `/v1/approvals/${approvalId}/deny`, await userToken('r-b', ['approver']), {
        reason: 'no thanks',
      }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const row = await server.gl.store.approvals.get(approvalId);
    expect(row?.status).toBe(winner.json.status);
    expect(row?.votes).toHaveLength(1);
    const decided = (await server.gl.store.audit.listBySession(agent.sessionId)).filter(
      (e) => e.kind === 'approval_decided',
    );
    expect(decided).toHaveLength(1);
    await agent.close();
  });

  it('a replayed override and an override used on another session are denied and audited', async () => {
    const { agent, approvalId } = await heldConcession();
    const through = agent.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'big' && m.decision.outcome !== 'needs_approval',
    );
    await api(server.url, 'POST', `/v1/approvals/${approvalId}/approve`, await userToken('appr-9', ['approver']), {
      reason: 'ok once',
    });
    await through;
    const overrideId = `${approvalId}.override`;
    const replay = await agent.propose('concession', { type: 'percent_off', value: 20 }, { override: overrideId });
    expect(replay.outcome).toBe('deny');
    expect(replay.rationale[0]?.rule).toBe('override.not_usable');

    const other = await disclosedAgent();
    const stolen = await other.propose('concession', { type: 'percent_off', value: 15 }, { override: overrideId });
    expect(stolen.outcome).toBe('deny');
    expect(stolen.rationale[0]?.rule).toBe('override.not_usable');
    for (const d of [replay, stolen])
      expect(await server.gl.store.decisions.get(d.id)).toMatchObject({ outcome: 'deny' });
    await Promise.all([agent.close(), other.close()]);
  });
});

describe('deadline passed with no answer', () => {
  let quick: TestServer;
  beforeAll(async () => {
    quick = await startServer({ policy: (dir) => policyFile(dir, { silence_seconds: 30, approval_wait_seconds: 1 }) });
  });
  afterAll(async () => {
    await quick?.close();
  });

  it('is expired: the agent is told, the row says expired, and approving it answers 410', async () => {
    const { agent, approvalId } = await heldConcession(quick);
    expect(await agent.waitFor((m) => m.type === 'approval_result')).toMatchObject({ approvalId, status: 'expired' });
    const approver = await userToken('appr-late', ['approver']);
    const late = await api(quick.url, 'POST', `/v1/approvals/${approvalId}/approve`, approver, {
      reason: 'sorry, late',
    });
    expect(late).toMatchObject({ status: 410, json: { code: 'GL_APPROVAL_EXPIRED' } });
    const row = await api(quick.url, 'GET', `/v1/approvals/${approvalId}`, approver);
    expect(row.json).toMatchObject({ status: 'expired', overrideId: null, override: null });
    const pending = await api(quick.url, 'GET', '/v1/approvals?status=pending', approver);
    expect((pending.json.approvals as { id: string }[]).map((a) => a.id)).not.toContain(approvalId);
    await agent.close();
  });
});
