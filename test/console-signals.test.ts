import { describe, expect, it } from 'vitest';
import { riskSignals } from '../src/console/risk-signals.ts';
import type { AuditEntry, AuditKind, Json } from '../src/store/types.ts';

let seq = 0;
function entry(
  kind: AuditKind,
  at: number,
  sessionId: string | null,
  payload: Json,
  policyVersion: string | null = null,
) {
  seq += 1;
  return {
    id: `${kind}:${seq}`,
    seq,
    at,
    sessionId,
    actor: 'system',
    kind,
    payload,
    policyVersion,
    bodyHash: '',
    prevHash: '',
    hash: '',
  } satisfies AuditEntry;
}

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const start = (id: string, agentId: string, role: string, version: string, at = T0) =>
  entry('session_started', at, id, { sessionId: id, agentId, role, tenantId: 't' }, version);
const decision = (sid: string, at: number, outcome: string) =>
  entry('decision', at, sid, { id: `d${seq}`, sessionId: sid, outcome, kind: 'concession' });

/** Two agents, two roles, two policy versions over three one-minute buckets. */
function log(): AuditEntry[] {
  return [
    start('s1', 'ava', 'closing', 'v1'),
    start('s2', 'bo', 'booking', 'v2'),
    decision('s1', T0 + 1_000, 'allow'),
    decision('s1', T0 + 2_000, 'deny'),
    decision('s1', T0 + 3_000, 'needs_approval'),
    entry('approval_requested', T0 + 3_000, 's1', { id: 'a1', kind: 'concession' }),
    entry('approval_decided', T0 + MIN + 3_000, 's1', { approvalId: 'a1', status: 'approved' }),
    entry('decision', T0 + MIN + 4_000, 's1', { id: 'd-o', outcome: 'allow', overrideId: 'a1.override' }),
    decision('s2', T0 + MIN + 5_000, 'sanitize'),
    decision('s2', T0 + 2 * MIN + 1_000, 'needs_approval'),
    entry('approval_requested', T0 + 2 * MIN + 1_000, 's2', { id: 'a2', kind: 'say' }),
    // Expired twice (the sweep and a late refused vote): counted once.
    entry('approval_expired', T0 + 2 * MIN + 20_000, 's2', { approvalId: 'a2', status: 'expired' }),
    entry('approval_expired', T0 + 2 * MIN + 21_000, 's2', { approvalId: 'a2', refused: 'GL_APPROVAL_EXPIRED' }),
    entry('directive', T0 + 2 * MIN + 30_000, 's2', { kind: 'end_call', rule: 'consent.opt_out' }),
    entry('directive', T0 + 2 * MIN + 31_000, 's2', { kind: 'end_call', rule: 'timeouts.silence' }),
    // A session whose start is outside the window of entries: not attributable, left out.
    decision('s-unknown', T0 + 10_000, 'deny'),
    // Outside the time window.
    decision('s1', T0 + 3 * MIN, 'deny'),
  ];
}

const window = { from: T0, to: T0 + 3 * MIN, bucketMs: MIN };

describe('risk signals over the audit log', () => {
  it('counts decisions by outcome per bucket, with block and approval rates', () => {
    const s = riskSignals(log(), window);
    expect(s.buckets.map((b) => [b.allow, b.deny, b.needs_approval, b.sanitize])).toEqual([
      [1, 1, 1, 0],
      [1, 0, 0, 1],
      [0, 0, 1, 0],
    ]);
    expect(s.buckets[0]?.blockRate).toBeCloseTo(1 / 3);
    expect(s.buckets[0]?.approvalRate).toBeCloseTo(1 / 3);
    expect(s.buckets[2]?.approvalRate).toBe(1);
    expect(s.totals).toMatchObject({ decisions: 6, deny: 1, blockRate: 1 / 6 });
  });

  it('measures approvals volume, outcomes and time to approve; overrides used; opt-outs', () => {
    const s = riskSignals(log(), window);
    expect(s.buckets.map((b) => b.approvalsRequested)).toEqual([1, 0, 1]);
    expect(s.buckets[1]).toMatchObject({ approved: 1, meanApproveMs: MIN, overridesUsed: 1 });
    expect(s.buckets[0]?.meanApproveMs).toBeNull();
    expect(s.buckets[2]).toMatchObject({ expired: 1, optOuts: 1 });
    expect(s.totals).toMatchObject({ approvalsRequested: 2, approved: 1, expired: 1, overridesUsed: 1, optOuts: 1 });
  });

  it('filters by agent, role and policy version, and breaks totals down per each', () => {
    const byAgent = riskSignals(log(), window, { agentId: 'bo' });
    expect(byAgent.totals).toMatchObject({ decisions: 2, sanitize: 1, needs_approval: 1, optOuts: 1, approved: 0 });
    expect(riskSignals(log(), window, { role: 'closing' }).totals.decisions).toBe(4);
    expect(riskSignals(log(), window, { policyVersion: 'v2' }).totals.decisions).toBe(2);
    expect(riskSignals(log(), window, { agentId: 'ava', role: 'booking' }).totals.decisions).toBe(0);
    const all = riskSignals(log(), window);
    expect(all.by.agent.ava?.decisions).toBe(4);
    expect(all.by.role.booking?.decisions).toBe(2);
    expect(all.by.policyVersion.v1?.deny).toBe(1);
    // A breakdown ignores the filter on its own dimension: every agent stays listed under an agent filter.
    expect(Object.keys(byAgent.by.agent).sort()).toEqual(['ava', 'bo']);
    expect(Object.keys(byAgent.by.role)).toEqual(['booking']);
    expect(all.options).toEqual({ agents: ['ava', 'bo'], roles: ['booking', 'closing'], policyVersions: ['v1', 'v2'] });
  });

  it('gives empty buckets (zero rates, no time to approve) for a quiet window', () => {
    const s = riskSignals(log(), { from: T0 + 10 * MIN, to: T0 + 12 * MIN, bucketMs: MIN });
    expect(s.buckets).toHaveLength(2);
    expect(s.buckets.every((b) => b.decisions === 0 && b.blockRate === 0 && b.meanApproveMs === null)).toBe(true);
  });
});
