import type { CardApproval, CardSession, Decision, PolicyView } from '../../src/hubspot-card/index.ts';
import type { FakeGuardlineState } from './fake-guardline.ts';

export const T0 = 1_800_000_000_000;

const decision = (overrides: Partial<Decision> & Pick<Decision, 'id' | 'outcome' | 'rationale'>): Decision => ({
  proposalId: `${overrides.id}.p`,
  sessionId: 's-live',
  kind: 'concession',
  policyVersion: 'default@ab12cd',
  stateRef: { seq: 3, state: 'closing.negotiating' },
  at: T0,
  ...overrides,
});

export const DENIED = decision({
  id: 'd-deny',
  kind: 'say',
  outcome: 'deny',
  at: T0 + 1_000,
  rationale: [
    {
      rule: 'commitments.guarantee',
      facts: { tier: 'forbidden' },
      message: 'The agent may not promise a guaranteed result.',
      evidence: { text: 'we guarantee you will double revenue', span: [4, 40] },
    },
  ],
});

export const HELD = decision({
  id: 'd-held',
  outcome: 'needs_approval',
  at: T0 + 2_000,
  rationale: [
    {
      rule: 'concessions.approval_band',
      facts: { asked_percent: 25, auto_max_percent: 10 },
      message: 'A 25% discount is above the 10% the agent may give alone; a manager must approve.',
    },
  ],
  approval: {
    id: 'd-held.approval',
    kind: 'concession',
    bound: { percent: 25 },
    paramsHash: 'h1',
    reason: 'Customer asked for 25% to sign today.',
    approverRole: 'approver',
    approversRequired: 1,
    deadline: T0 + 90_000,
  },
  fallback: 'Let me check with my manager.',
});

export const ALLOWED = decision({
  id: 'd-allow',
  kind: 'book_meeting',
  outcome: 'allow',
  at: T0 + 500,
  rationale: [{ rule: 'tiers.book_meeting', facts: { tier: 'autonomous' }, message: 'Booking a meeting is allowed.' }],
});

export const SANITIZED = decision({
  id: 'd-sanitize',
  kind: 'send_message',
  outcome: 'sanitize',
  at: T0 + 700,
  rationale: [{ rule: 'pii.redact', facts: { redacted: 1 }, message: 'A card number was removed from the message.' }],
  sanitized: { text: 'Your card ending [redacted] is on file.' },
});

export function liveSession(decisions: Decision[] = [ALLOWED, SANITIZED, DENIED, HELD]): CardSession {
  return {
    id: 's-live',
    callId: 'CA-100',
    channel: 'voice',
    role: 'closing',
    status: 'live',
    startedAt: T0 - 60_000,
    endedAt: null,
    agentId: 'agent-7',
    policyVersion: 'default@ab12cd',
    decisions,
  };
}

export function pendingApproval(overrides: Partial<CardApproval> = {}): CardApproval {
  return {
    id: 'd-held.approval',
    sessionId: 's-live',
    decisionId: 'd-held',
    kind: 'concession',
    bound: { percent: 25 },
    limit: { percent: 10 },
    reason: 'Customer asked for 25% to sign today.',
    status: 'pending',
    deadline: Date.now() + 120_000,
    approversRequired: 1,
    approvals: [],
    ...overrides,
  };
}

export function policy(): PolicyView {
  return {
    version: 'default@v1',
    label: 'default',
    roles: {
      booking: {
        concessions: { auto_max_percent: 0, approval_max_percent: 0, max_count: 0, cumulative_max_percent: 0 },
      },
      transfer: {
        concessions: { auto_max_percent: 0, approval_max_percent: 5, max_count: 1, cumulative_max_percent: 5 },
      },
      closing: {
        concessions: { auto_max_percent: 10, approval_max_percent: 25, max_count: 3, cumulative_max_percent: 30 },
      },
    },
    timeouts: { max_call_seconds: 1800, wrap_up_warning_seconds: 120, silence_seconds: 45, approval_wait_seconds: 90 },
  };
}

/** Contact 123 (the renderer's default record) has a live call with four decisions and one held request. */
export function busyRecordState(): FakeGuardlineState {
  return {
    sessions: { 'contact:123': [liveSession()] },
    approvals: { 'contact:123': [pendingApproval()] },
    policy: policy(),
    policyChanges: [],
    suspensions: [],
  };
}
