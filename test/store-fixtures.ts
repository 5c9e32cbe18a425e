import type { Decision, SessionMeta } from '../src/model/index.ts';

export function meta(sessionId: string, extra: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId,
    callId: `call-${sessionId}`,
    channel: 'voice',
    direction: 'outbound',
    role: 'closing',
    jurisdiction: 'CA',
    timezone: 'America/Los_Angeles',
    agentId: 'agent-1',
    tenantId: 'tenant-1',
    ...extra,
  };
}

export function decision(id: string, sessionId: string, extra: Partial<Decision> = {}): Decision {
  return {
    id,
    proposalId: `p-${id}`,
    sessionId,
    kind: 'concession',
    outcome: 'allow',
    rationale: [{ rule: 'concession.within_bound', facts: { percent: 10 }, message: 'Within the bound.' }],
    policyVersion: 'policy-1',
    stateRef: { seq: 1, state: 'live' },
    at: 1_700_000_000_000,
    ...extra,
  };
}

/** A `needs_approval` decision for a 25% discount, as the gate makes it. */
export function heldDecision(
  id: string,
  sessionId: string,
  approversRequired = 1,
  deadline = 1_700_000_090_000,
): Decision {
  return decision(id, sessionId, {
    outcome: 'needs_approval',
    approval: {
      id: `${id}.approval`,
      kind: 'concession',
      bound: { type: 'percent_off', value: 25 },
      paramsHash: 'hash-25',
      reason: 'Above the 15% bound.',
      approverRole: 'approver',
      approversRequired,
      deadline,
    },
    fallback: 'Let me check that with my manager.',
  });
}
