import type { GrantedConcession, Negotiation, Override, PendingApproval } from '../../machines/session/types.ts';
import type { UtteranceFacts } from '../analysis/types.ts';
import type { ApprovalRequest, Outcome, RationaleItem, Role, SessionMeta } from '../model/index.ts';
import type { LoadedPolicy } from '../policy/index.ts';
import type { BudgetRemaining } from '../session/inputs.ts';

/** What the gate reads of a session: a flattened snapshot of its statechart. */
export interface SessionView {
  meta: SessionMeta;
  policy: LoadedPolicy;
  role: Role;
  lifecycle: 'connecting' | 'live' | 'wrapping_up' | 'ended';
  consent: 'pending' | 'not_required' | 'required' | 'disclosed' | 'granted' | 'declined' | 'opted_out';
  callingWindowOpen: boolean;
  transcriptionLost: boolean;
  holdReason: string | null;
  aiQuestionPending: boolean;
  negotiation: Negotiation;
  pending: PendingApproval | null;
  overrides: Override[];
  /** Today's remaining cross-session budgets (null: not known, no caps applied). */
  budget: BudgetRemaining | null;
  /** Compact state string recorded in each decision's `stateRef`. */
  state: string;
}

/** One rule's finding. Several are combined: the most severe outcome wins, all rationale is kept. */
export interface Verdict {
  outcome: Outcome;
  rationale: RationaleItem[];
  /** For `sanitize`: replacement parameters. */
  sanitized?: Record<string, unknown>;
  /** For `needs_approval`: the bound asked for. */
  bound?: Record<string, unknown>;
  concessions?: GrantedConcession[];
  overrideUsed?: string;
  code?: string;
}

export type Analyzer = (text: string, speaker: 'agent' | 'customer') => UtteranceFacts;

export interface ApprovalPlan {
  approval: ApprovalRequest;
}
