import type { ApprovalRequest, ProposalKind } from '../../model/index.ts';
import type { AuditKind } from './audit.ts';
import type { Json, Millis } from './common.ts';

// --- approvals and overrides -----------------------------------------------------------------
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

export interface ApprovalVote {
  approverId: string;
  verdict: 'approve' | 'deny';
  reason: string;
  at: Millis;
}

export interface ApprovalRow extends ApprovalRequest {
  sessionId: string;
  decisionId: string;
  proposalId: string;
  tenantId: string | null;
  agentId: string | null;
  status: ApprovalStatus;
  votes: ApprovalVote[];
  /** The override minted when approved. */
  overrideId: string | null;
  createdAt: Millis;
  decidedAt: Millis | null;
  /** Optimistic-concurrency counter: each change increments it. */
  version: number;
}

export interface OverrideRow {
  id: string;
  approvalId: string;
  sessionId: string;
  kind: ProposalKind;
  /** The approved bound, and the hash of the approved parameters it is bound to. */
  bound: Record<string, unknown>;
  paramsHash: string;
  expiresAt: Millis;
  usedAt: Millis | null;
  usedByDecision: string | null;
  createdAt: Millis;
}

/** An audit entry before the chain gives it seq, prevHash and hash. */
export interface AuditDraft {
  id: string;
  at: Millis;
  sessionId: string | null;
  /** `agent:<id>`, `human:<id>`, or `system`. */
  actor: string;
  kind: AuditKind;
  payload: Json;
  policyVersion: string | null;
}

export interface ApprovalsStore {
  get(id: string): Promise<ApprovalRow | null>;
  listBySession(sessionId: string): Promise<ApprovalRow[]>;
  listPending(): Promise<ApprovalRow[]>;
  /**
   * Newest first (by creation), optionally of one status, optionally of one tenant; `limit`
   * (default 100) counts the rows that pass the filters.
   */
  list(filter?: { status?: ApprovalStatus; tenantId?: string; limit?: number }): Promise<ApprovalRow[]>;
  /** Pending approvals whose deadline is <= now. */
  listDue(now: Millis): Promise<ApprovalRow[]>;
  /**
   * Replaces the row with `next` only if its stored version is still `expectVersion` (and bumps
   * it), inserting `override` and appending `audit` in the same durable transaction. Returns false
   * (and writes nothing) when another writer changed the row first.
   */
  update(next: ApprovalRow, expectVersion: number, audit: AuditDraft, override?: OverrideRow): Promise<boolean>;
}

export interface OverridesStore {
  get(id: string): Promise<OverrideRow | null>;
  /**
   * Reads the override (locked against other writers), asks `judge` whether this use is allowed,
   * marks it used by `decisionId` if so (and it is still unused), and appends the judge's audit
   * entry either way (a refused use is audited too) — one durable transaction.
   */
  consume(
    id: string,
    use: { decisionId: string; now: Millis },
    judge: (row: OverrideRow | null) => { allowed: boolean; audit: AuditDraft },
  ): Promise<{ consumed: boolean; row: OverrideRow | null }>;
}
