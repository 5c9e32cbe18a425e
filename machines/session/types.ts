import type { UtteranceFacts } from '../../src/analysis/types.ts';
import type { Decision, Directive, ProposalKind, Role, SessionMeta } from '../../src/model/index.ts';
import type { Proposal } from '../../src/model/proposal.ts';
import type { LoadedPolicy } from '../../src/policy/index.ts';
import type { BudgetRemaining } from '../../src/session/inputs.ts';

/** A one-time widening of authority, minted by a verified human approval (laws 3 and 4). */
export interface Override {
  id: string;
  approvalId: string;
  kind: ProposalKind;
  /** Hash of the approved proposal's parameters. */
  paramsHash: string;
  /** The approved bound, e.g. `{ percent: 25 }`; a use above it is denied. */
  bound: Record<string, unknown>;
  expiresAt: number;
  approvers: string[];
}

export interface PendingApproval {
  approvalId: string;
  decisionId: string;
  proposal: Proposal;
  deadline: number;
}

export interface GrantedConcession {
  proposalId: string;
  kind: string;
  value: number | null;
  unit: 'percent' | 'usd' | 'months' | null;
}

export interface Negotiation {
  granted: GrantedConcession[];
  cumulativePercent: number;
  cumulativeUsd: number;
}

export interface SessionContext {
  meta: SessionMeta;
  policy: LoadedPolicy;
  startedAt: number;
  /** Last time anybody spoke (or the session started). */
  lastActivityAt: number;
  /** When the call must end: start + max duration + approved extensions. */
  endsAt: number;
  /** When an `end_call` directive was issued, for enforcement after its grace period. */
  endRequestedAt: number | null;
  transcriptionLostAt: number | null;
  /** The customer asked whether they are talking to a machine; the next `say` must disclose. */
  aiQuestionPending: boolean;
  negotiation: Negotiation;
  pending: PendingApproval | null;
  overrides: Override[];
  /** Directives issued so far; their ids count from it. */
  directiveCount: number;
  holdReason: string | null;
  /** Today's remaining cross-session budgets; null until the runtime reports them (no caps known). */
  budget: BudgetRemaining | null;
}

export interface SessionInput {
  meta: SessionMeta;
  policy: LoadedPolicy;
}

/** What the gate decided and what it changes, applied to the statechart after the decision is made. */
export interface DecisionEffects {
  /** Concessions granted by this decision (after sanitizing). */
  concessions: GrantedConcession[];
  /** The agent's allowed `say` disclosed that it is an AI / that the call is recorded. */
  disclosed: boolean;
  disclosedAI: boolean;
  handoffTo: Role | null;
  /** A role handoff that failed its preconditions: the agent is told with a `handoff_denied` directive. */
  handoffDenied: { to: Role; reason: string } | null;
  extendSeconds: number;
  /** The override this decision consumed. */
  overrideUsed: string | null;
  /** Set when the decision held the proposal for approval. */
  pending: PendingApproval | null;
}

export type SessionEvent =
  | { type: 'START'; at: number }
  | { type: 'CUSTOMER_SAID'; at: number; facts: UtteranceFacts; confidence: number }
  | { type: 'AGENT_SPOKE'; at: number }
  | { type: 'DECIDED'; at: number; decision: Decision; effects: DecisionEffects }
  | {
      type: 'APPROVAL_RESOLVED';
      at: number;
      approvalId: string;
      status: 'approved' | 'denied';
      override: Override | null;
    }
  | { type: 'TICK'; at: number }
  | { type: 'VOICEMAIL'; at: number }
  | { type: 'TRANSFER_COMPLETED'; at: number }
  | { type: 'CALL_ENDED'; at: number }
  | { type: 'TRANSCRIPTION_LOST'; at: number }
  | { type: 'TRANSCRIPTION_RESTORED'; at: number }
  | { type: 'HOLD'; at: number; reason: string; end: boolean }
  | { type: 'RESUME'; at: number }
  /** A newly published policy version that applies to live sessions at once (`applies: immediately`). */
  | { type: 'POLICY_CHANGED'; at: number; policy: LoadedPolicy }
  /** What is left of today's cross-session budgets (null: no cap), as the store last said. */
  | { type: 'BUDGET'; at: number; remaining: BudgetRemaining };

export type SessionEmitted =
  | { type: 'directive'; directive: Directive }
  | { type: 'approval_result'; approvalId: string; status: 'approved' | 'denied' | 'expired'; at: number }
  | { type: 'do_not_call'; at: number }
  | { type: 'enforce_end'; at: number };
