import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent, type GuardlineProtocolError } from '../src/client/index.ts';
import type { ApprovalResultMessage } from '../src/client/protocol.ts';
import { disclosureText, helloSession, nightZone, policyFile, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  // Silence at 4 s: long enough that a loaded machine does not end the other tests' calls.
  server = await startServer({ policy: (dir) => policyFile(dir, { silence_seconds: 4 }) });
});
afterAll(async () => {
  await server?.close();
});

async function agent(overrides: Parameters<typeof helloSession>[0] = {}, token?: string) {
  return GuardlineAgent.connect({
    url: server.url,
    token: token ?? (await server.agentToken()),
    session: helloSession(overrides),
  });
}

/** A closing-role agent that has disclosed it is an AI (NY needs nothing more). */
async function disclosed() {
  const a = await agent();
  const d = await a.propose('say', { text: disclosureText() });
  expect(d.outcome).toBe('allow');
  return a;
}

describe('authentication at the upgrade', () => {
  const refused = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (e: GuardlineProtocolError) => e.code,
    );

  it('refuses a missing, forged or expired token with 401 and the GL_AUTH_* code', async () => {
    expect(await refused(GuardlineAgent.connect({ url: server.url, token: '', session: helloSession() }))).toBe(
      'GL_AUTH_MISSING',
    );
    const forged = `${(await server.agentToken()).slice(0, -4)}AAAA`;
    expect(await refused(GuardlineAgent.connect({ url: server.url, token: forged, session: helloSession() }))).toBe(
      'GL_AUTH_INVALID',
    );
    const expired = await server.agentToken('agent-1', ['closing'], { ttlSeconds: 60, now: Date.now() - 3_600_000 });
    expect(await refused(GuardlineAgent.connect({ url: server.url, token: expired, session: helloSession() }))).toBe(
      'GL_AUTH_EXPIRED',
    );
  });

  it('answers GL_AUTH_SCOPE to a hello for a role the token does not name, and accepts ?token=', async () => {
    const token = await server.agentToken('agent-2', ['booking']);
    expect(
      await refused(GuardlineAgent.connect({ url: server.url, token, session: helloSession({ role: 'closing' }) })),
    ).toBe('GL_AUTH_SCOPE');
    const a = await GuardlineAgent.connect({
      url: server.url,
      token,
      tokenInQuery: true,
      session: helloSession({ role: 'booking' }),
    });
    expect(a.ready).toMatchObject({ type: 'ready', protocol: 1, attached: false });
    expect(a.ready.policyVersion).toMatch(/^short-timeouts@/);
    await a.close();
  });
});

describe('decisions over /v1/agent', () => {
  it('records every decision durably before the agent receives it (law 1)', async () => {
    const a = await disclosed();
    const seen: Promise<unknown>[] = [];
    a.on('decision', (d) => seen.push(server.gl.store.decisions.get(d.id)));
    const decisions = await Promise.all([
      a.propose('concession', { type: 'percent_off', value: 5 }),
      a.propose('say', { text: 'Great, I can do that for you.' }),
      a.propose('transfer', { target: 'nowhere' }),
    ]);
    expect(
      decisions.map((d) => d.outcome),
      JSON.stringify(decisions.map((d) => d.rationale)),
    ).toEqual(['allow', 'allow', 'deny']);
    const stored = await Promise.all(seen);
    expect(stored.every((row) => row !== null)).toBe(true);
    const inputs = await server.gl.store.inputs.list(a.sessionId);
    // Budget updates (what is left of today's caps) are recorded inputs too, as they arrive.
    expect(inputs.map((i) => i.type).filter((t) => t !== 'budget')).toEqual([
      'start',
      'propose',
      'propose',
      'propose',
      'propose',
    ]);
    const decided = inputs.find((i) => i.seq === decisions[0]?.stateRef.seq);
    expect(decided?.type).toBe('propose');
    expect((decided?.payload as { proposal?: { id?: string } } | undefined)?.proposal?.id).toBe(
      decisions[0]?.proposalId,
    );
    await a.close();
  });

  it('holds an over-bound concession for approval, routes the approval back, and the held proposal goes through', async () => {
    const a = await disclosed();
    const held = await a.propose('concession', { type: 'percent_off', value: 20 }, { id: 'big-discount' });
    expect(held.outcome).toBe('needs_approval');
    expect(held.proposalId).toBe('big-discount');
    const approvalId = held.approval?.id as string;
    const row = await server.gl.store.approvals.get(approvalId);
    expect(row?.status).toBe('pending');
    const store = server.gl.store;
    const now = Date.now();
    const overrideId = `${approvalId}.override`;
    const vote = { approverId: 'mgr-1', verdict: 'approve' as const, reason: 'good customer', at: now };
    const updated = await store.approvals.update(
      { ...(row as NonNullable<typeof row>), status: 'approved', votes: [vote], overrideId, decidedAt: now },
      (row as NonNullable<typeof row>).version,
      {
        id: `approval_decided:${approvalId}`,
        at: now,
        sessionId: a.sessionId,
        actor: 'human:mgr-1',
        kind: 'approval_decided',
        payload: { approvalId },
        policyVersion: held.policyVersion,
      },
      {
        id: overrideId,
        approvalId,
        sessionId: a.sessionId,
        kind: 'concession',
        bound: held.approval?.bound ?? {},
        paramsHash: held.approval?.paramsHash as string,
        expiresAt: now + 60_000,
        usedAt: null,
        usedByDecision: null,
        createdAt: now,
      },
    );
    expect(updated).toBe(true);
    const result = (await a.waitFor((m) => m.type === 'approval_result')) as ApprovalResultMessage;
    expect(result).toMatchObject({ approvalId, status: 'approved' });
    const through = await a.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'big-discount' && m.decision.outcome !== 'needs_approval',
    );
    expect(through).toMatchObject({ decision: { outcome: 'allow', overrideId } });
    await a.close();
  });

  it('expires an unanswered approval: approval_result expired and a deny with the fallback line', async () => {
    const a = await disclosed();
    const held = await a.propose('concession', { type: 'percent_off', value: 15 }, { id: 'waits' });
    expect(held.outcome).toBe('needs_approval');
    const result = (await a.waitFor((m) => m.type === 'approval_result')) as ApprovalResultMessage;
    expect(result.status).toBe('expired');
    const closed = await a.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'waits' && m.decision.outcome === 'deny',
    );
    expect(closed).toMatchObject({ decision: { rationale: [{ rule: 'approval.expired' }] } });
    await a.close();
  });

  it('ends the call on an opt-out and queues the do-not-call write', async () => {
    const a = await disclosed();
    a.transcript('customer', 'Please stop calling me.');
    const end = await a.directive('end_call');
    expect(end.rule).toBe('consent.opt_out');
    await a.close();
    const outbox = await server.gl.store.outbox.list({ sessionId: a.sessionId });
    expect(outbox.find((w) => w.idempotencyKey.startsWith('do-not-call:'))).toMatchObject({
      objectId: '101',
      object: 'contact',
    });
  });

  it('ends a silent call, then enforces the end when the agent ignores it', async () => {
    const a = await disclosed();
    const end = await a.directive('end_call');
    expect(end.rule).toBe('timeout.silence');
    const closed = new Promise<number>((resolve) => a.on('close', (code) => resolve(code)));
    const notice = await a.waitFor((m) => m.type === 'directive' && m.directive.rule === 'enforce.end_call');
    expect(notice.type).toBe('directive');
    expect(await closed).toBe(4410);
    await expect
      .poll(async () => (await server.gl.store.sessions.get(a.sessionId))?.endReason, { timeout: 5000 })
      .toBe('enforced:timeout.silence');
    const directives = await server.gl.store.directives.listBySession(a.sessionId);
    expect(directives.find((d) => d.rule === 'enforce.end_call.done')?.message).toContain(
      'closed the agent connection',
    );
  });

  it('directs end_call for an outbound call during the callee\u2019s quiet hours', async () => {
    const a = await agent({ direction: 'outbound', timezone: nightZone() });
    const end = await a.directive('end_call');
    expect(end.rule).toMatch(/calling_hours|quiet/);
    await a.close();
  });
});

describe('maximum duration', () => {
  let short: TestServer;
  beforeAll(async () => {
    short = await startServer({
      policy: (dir) => policyFile(dir, { max_call_seconds: 3, wrap_up_warning_seconds: 2, silence_seconds: 30 }),
    });
  });
  afterAll(async () => short?.close());

  it('warns to wrap up, then ends the call at the maximum duration', async () => {
    const a = await GuardlineAgent.connect({
      url: short.url,
      token: await short.agentToken(),
      session: helloSession(),
    });
    const wrap = await a.directive('wrap_up');
    expect(wrap.rule).toBe('timeout.wrap_up_warning');
    const end = await a.directive('end_call');
    expect(end.rule).toBe('timeout.max_duration');
    // Timers may fire late on a loaded machine, never early: measure from the recorded start.
    const [start] = await short.gl.store.inputs.list(a.sessionId);
    expect(start?.type).toBe('start');
    expect(wrap.at - (start?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(end.at - (start?.at ?? 0)).toBeGreaterThanOrEqual(3000);
    await a.close();
  });
});

describe('the TypeScript client on a long call', () => {
  it('keeps only its latest messages, and still finds the latest with waitFor', async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
      historyLimit: 3,
    });
    try {
      await a.propose('say', { text: disclosureText() });
      let last = '';
      for (let i = 0; i < 12; i++)
        last = (await a.propose('say', { text: `Onboarding step ${i} is included.` })).proposalId;
      expect(a.messages.length).toBeLessThan(6);
      expect(a.messages.at(-1)).toMatchObject({ type: 'decision', proposalId: last });
      const found = await a.waitFor((m) => m.type === 'decision' && m.proposalId === last, 1000);
      expect(found).toMatchObject({ proposalId: last });
    } finally {
      await a.close();
    }
  });
});
