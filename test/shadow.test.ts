import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { type LocalServer, startLocalServer } from '../src/demo/server.ts';
import { GuardlineError } from '../src/errors/index.ts';
import { DEFAULT_POLICY_PATH, parsePolicy } from '../src/policy/index.ts';
import { compareRuns, exportRecording, proposalParams, replayRecording, totalsOf } from '../src/replay/index.ts';
import { storedPolicy } from '../src/replay/policy-source.ts';
import type { ShadowReport } from '../src/shadow/index.ts';

const SECRET = 'shadow-secret-0123456789abcdef01234567';
const YAML = readFileSync(DEFAULT_POLICY_PATH, 'utf8');
const DISCLOSE = /disclosure_text: "([^"]+)"/.exec(YAML)?.[1] as string;
const CANDIDATE = YAML.replace(/auto_max_percent: 10 #.*/, 'auto_max_percent: 4').replace(
  /^label: default$/m,
  'label: candidate',
);

let dir: string;
let server: LocalServer;
let manager: string;

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${manager}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardline-shadow-'));
  server = await startLocalServer({ dataDir: dir, secret: SECRET });
  manager = await server.userToken('mgr-a', ['manager']);
});
afterAll(async () => {
  await server.gl.shutdown('test done');
  rmSync(dir, { recursive: true, force: true });
});

/** Makes the store fail to record a concession of `value` percent until the returned undo is called. */
function breakRecordOf(value: number): () => void {
  const store = server.gl.store;
  const recordInput = store.recordInput.bind(store);
  store.recordInput = async (writes) => {
    const proposal = (writes.input.payload as { proposal?: { kind?: string; params?: { value?: number } } }).proposal;
    if (proposal?.kind === 'concession' && proposal.params?.value === value)
      throw new GuardlineError('GL_STORE_WRITE_FAILED', 'The test broke the disk.');
    return recordInput(writes);
  };
  return () => {
    store.recordInput = recordInput;
  };
}

describe('shadow mode', () => {
  it('decides every proposal with both versions, the agent gets the active one, and the counts match a replay', async () => {
    const { store } = server.gl;
    const active = server.gl.registry.currentPolicy.version;
    const parsed = parsePolicy(CANDIDATE);
    if (!parsed.ok) throw new Error('candidate invalid');
    const candidate = parsed.loaded.version;
    await store.policies.create({
      id: candidate,
      label: 'candidate',
      contentHash: parsed.loaded.hash,
      yaml: CANDIDATE,
      author: 'human:mgr-a',
      reason: 'candidate: 4% automatic cap',
      createdAt: Date.now(),
      parent: active,
    });
    const started = await api('POST', `/v1/policies/${encodeURIComponent(candidate)}/shadow`, { reason: 'try it' });
    expect(started.status).toBe(200);

    const sessions: string[] = [];
    // In the last call the store fails to record the 7 % concession (the agent is told deny, the
    // session undoes it): the shadow must not decide it either, as a replay of the recording cannot.
    const unrecorded = breakRecordOf(7);
    for (const values of [[3, 6, 15], [8, 2], [1], [7, 5]]) {
      const agent = await GuardlineAgent.connect({
        url: server.url,
        token: await server.agentToken('agent-s', ['closing']),
        session: {
          callId: `shadow-${sessions.length}-${Date.now()}`,
          channel: 'voice',
          direction: 'inbound',
          role: 'closing',
          jurisdiction: 'NY',
          timezone: 'America/New_York',
        },
      });
      await agent.propose('say', { text: DISCLOSE });
      for (const value of values) {
        const d = await agent.propose('concession', { type: 'percent_off', value });
        expect(d.policyVersion).toBe(active);
        if (value === 7) expect(d).toMatchObject({ outcome: 'deny', code: 'GL_STORE_WRITE_FAILED' });
        else expect(d.outcome).toBe(value <= 10 ? 'allow' : 'needs_approval');
      }
      sessions.push(agent.sessionId);
      await agent.close();
    }
    unrecorded();
    await new Promise((r) => setTimeout(r, 100));

    const res = await api('GET', `/v1/policies/${encodeURIComponent(candidate)}/shadow-report`);
    expect(res.status).toBe(200);
    const report = res.body as unknown as ShadowReport;
    expect(report.totals.sessions).toBe(4);
    // 6%, 8% and 5% were allowed by the active version; the candidate holds them for approval.
    expect(report.totals.flipsByKind['allow→needs_approval']).toBe(3);
    expect(report.sessions.flatMap((s) => s.examples.map((e) => e.to))).toContain('needs_approval');
    // A user of a tenant sees that tenant's sessions in the report, no other's.
    const reportFor = async (tenantId: string) => {
      const token = await mintToken(
        SECRET,
        { kind: 'user', userId: `ap-${tenantId}`, tenantId, roles: ['approver'] },
        { ttlSeconds: 600 },
      );
      const url = `${server.url}/v1/policies/${encodeURIComponent(candidate)}/shadow-report`;
      return (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as ShadowReport;
    };
    expect((await reportFor('acme')).totals).toEqual(report.totals);
    expect(await reportFor('globex')).toMatchObject({ totals: { sessions: 0, changed: 0 }, sessions: [] });

    const policy = await storedPolicy(store, candidate);
    const diffs = [];
    for (const id of sessions) {
      const recording = await exportRecording(store, id);
      const replayed = replayRecording(recording, policy);
      diffs.push(
        compareRuns(
          id,
          { decisions: recording.decisions, directives: [] },
          { decisions: replayed.decisions, directives: [] },
          proposalParams(recording.inputs),
        ),
      );
      expect(replayed.decisions).toEqual(await store.shadow.listDecisions(candidate, id));
    }
    const replayTotals = totalsOf(diffs);
    expect(report.totals.changed).toBe(replayTotals.changed);
    expect(report.totals.flipsByKind).toEqual(replayTotals.flipsByKind);
    expect(report.totals.blockedConcessions).toBe(replayTotals.blockedConcessions);
  });
});
