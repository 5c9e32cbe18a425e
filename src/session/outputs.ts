import type { CrmWriteParams, Decision, Directive } from '../model/index.ts';

/** What a session produces in answer to an input; the runtime persists and delivers these. */
export type SessionOutput =
  | { type: 'decision'; decision: Decision }
  | { type: 'directive'; directive: Directive }
  | { type: 'approval_result'; approvalId: string; status: 'approved' | 'denied' | 'expired'; at: number }
  /** The opt-out's do-not-call mark, a CRM write never blocked by tiers. */
  | { type: 'do_not_call'; at: number; write: CrmWriteParams }
  /** The agent ignored `end_call` past its grace period: the runtime must end the call itself. */
  | { type: 'enforce_end'; at: number };
