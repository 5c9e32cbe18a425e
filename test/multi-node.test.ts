/**
 * Issue 5, many nodes: two runtime processes on one PostgreSQL database. An agent is live on node A;
 * the approval is made over HTTP on node B; node A's session hears `approval_result` through
 * LISTEN/NOTIFY and the held proposal goes through. Skipped (with a printed reason) when PostgreSQL
 * is unreachable, unless GUARDLINE_REQUIRE_POSTGRES=1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { api, userToken } from './approvals-api-support.ts';
import { type RuntimeChild, startRuntime } from './multi-node-runtime.ts';
import { disclosureText, helloSession, SECRET, SHORT_POLICY } from './server-harness.ts';
import { BACKENDS, PG_URL, TEST_AUDIT_KEY } from './store-backends.ts';

const postgres = BACKENDS.some((b) => b.name === 'postgres');
const agentToken = (agentId: string) =>
  mintToken(SECRET, { kind: 'agent', agentId, tenantId: 'acme', roles: ['closing'] }, { ttlSeconds: 600 });
const schema = `gl_nodes_${randomBytes(5).toString('hex')}`;
let nodeA: RuntimeChild | undefined;
let nodeB: RuntimeChild | undefined;
let dir: string;

describe.skipIf(!postgres)('two runtime processes on one PostgreSQL database', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'guardline-nodes-'));
    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(
      policy,
      readFileSync(SHORT_POLICY, 'utf8')
        .replace(/silence_seconds: \d+/, 'silence_seconds: 60')
        .replace(/approval_wait_seconds: \d+/, 'approval_wait_seconds: 60')
        .replace(/concession_percent_points: \d+/, 'concession_percent_points: 12'),
    );
    const env = {
      DATABASE_URL: PG_URL,
      GUARDLINE_DB_SCHEMA: schema,
      GUARDLINE_AUDIT_KEY: TEST_AUDIT_KEY,
      GUARDLINE_JWT_SECRET: SECRET,
      GUARDLINE_POLICY_FILE: policy,
      GUARDLINE_DATA_DIR: dir,
    };
    // Start one after the other: the first creates the schema.
    nodeA = await startRuntime(env);
    nodeB = await startRuntime(env);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an approval made through node B reaches the session live on node A at once', async () => {
    if (!nodeA || !nodeB) throw new Error('nodes did not start');
    const token = await agentToken('agent-a');
    const agent = await GuardlineAgent.connect({ url: nodeA.url, token, session: helloSession() });
    expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    const held = await agent.propose('concession', { type: 'percent_off', value: 20 }, { id: 'held' });
    expect(held.outcome).toBe('needs_approval');
    const approvalId = held.approval?.id as string;

    const approver = await userToken('appr-b', ['approver']);
    const seenOnB = await api(nodeB.url, 'GET', '/v1/approvals?status=pending', approver);
    expect((seenOnB.json.approvals as { id: string }[]).map((a) => a.id)).toContain(approvalId);

    const heard = agent.waitFor((m) => m.type === 'approval_result', 5_000);
    const through = agent.waitFor(
      (m) => m.type === 'decision' && m.proposalId === 'held' && m.decision.outcome !== 'needs_approval',
      5_000,
    );
    const approved = await api(nodeB.url, 'POST', `/v1/approvals/${approvalId}/approve`, approver, {
      reason: 'approved on node B',
    });
    expect(approved).toMatchObject({ status: 200, json: { status: 'approved' } });
    expect(await heard).toMatchObject({ approvalId, status: 'approved' });
    expect(await through).toMatchObject({ decision: { outcome: 'allow', overrideId: `${approvalId}.override` } });

    // Node B's session API sees what node A decided.
    const session = await api(nodeB.url, 'GET', `/v1/sessions/${agent.sessionId}`, approver);
    expect((session.json.decisions as { outcome: string }[]).map((d) => d.outcome)).toEqual([
      'allow',
      'needs_approval',
      'allow',
    ]);
    const approvedOnB = await api(nodeB.url, 'GET', '/v1/approvals?status=approved', approver);
    expect((approvedOnB.json.approvals as { id: string }[]).map((a) => a.id)).toEqual([approvalId]);
    const liveOnB = await api(nodeB.url, 'GET', '/v1/sessions?status=live', approver);
    expect((liveOnB.json.sessions as { id: string }[]).map((s) => s.id)).toEqual([agent.sessionId]);
    await agent.close();
  });

  it("a concession granted through node B counts at once against the agent's session live on node A", async () => {
    if (!nodeA || !nodeB) throw new Error('nodes did not start');
    const token = await agentToken('agent-budget');
    const disclosed = async (url: string) => {
      const agent = await GuardlineAgent.connect({ url, token, session: helloSession() });
      expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
      return agent;
    };
    const onA = await disclosed(nodeA.url);
    const onB = await disclosed(nodeB.url);
    expect((await onB.propose('concession', { type: 'percent_off', value: 10 })).outcome).toBe('allow');

    // Node A hears the charge (NOTIFY) and records what is left as an input of its live session.
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await expect
        .poll(
          async () => {
            const { rows } = await client.query(
              "SELECT payload FROM session_inputs WHERE session_id = $1 AND type = 'budget' ORDER BY seq",
              [onA.sessionId],
            );
            return rows.map((r) => JSON.parse(r.payload as string).remaining.concession_percent_points);
          },
          { timeout: 5000, interval: 50 },
        )
        .toEqual([12, 2]);
    } finally {
      await client.end();
    }
    const d = await onA.propose('concession', { type: 'percent_off', value: 5 });
    expect(d.outcome).toBe('needs_approval');
    expect(d.rationale[0]).toMatchObject({ rule: 'budget.daily_cap', facts: { remaining: 2, asked: 5 } });
    await Promise.all([onA.close(), onB.close()]);
  });
});
