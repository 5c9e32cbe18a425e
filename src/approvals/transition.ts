import type { ErrorCode } from '../errors/index.ts';
import type { ApprovalRow, AuditDraft, Json, OverrideRow } from '../store/types.ts';

/** Who acts on an approval: an identity and the roles it holds. */
export interface Approver {
  id: string;
  roles: readonly string[];
}

export type Verdict = 'approve' | 'deny';

/** What one vote does to a request: write a new state, change nothing, or refuse. */
export type VoteStep =
  | { kind: 'write'; next: ApprovalRow; override?: OverrideRow; audit: AuditDraft }
  | { kind: 'unchanged' }
  | { kind: 'refuse'; code: ErrorCode; detail: string; audit: AuditDraft; next?: ApprovalRow };

const auditOf = (row: ApprovalRow, kind: AuditDraft['kind'], actor: string, at: number, payload: Json): AuditDraft => ({
  id: `${kind}:${row.id}:${row.version + 1}`,
  at,
  sessionId: row.sessionId,
  actor,
  kind,
  payload,
  policyVersion: null,
});

/**
 * The approval rules, pure (law 4): approving takes the approver role; configured actions need two
 * different approvers; one deny settles it; a repeated vote by the same approver changes nothing
 * (HubSpot retries); nothing is decided after the deadline — the request expires instead.
 */
export function vote(
  row: ApprovalRow,
  approver: Approver,
  verdict: Verdict,
  reason: string,
  now: number,
  overrideTtlMs: number,
): VoteStep {
  const actor = `human:${approver.id}`;
  const mine = row.votes.find((v) => v.approverId === approver.id);
  if (mine && mine.verdict === verdict) return { kind: 'unchanged' };
  const refused = (code: ErrorCode, detail: string, next?: ApprovalRow): VoteStep => ({
    kind: 'refuse',
    code,
    detail,
    audit: auditOf(row, next ? 'approval_expired' : 'approval_vote', actor, now, {
      approvalId: row.id,
      verdict,
      refused: code,
      detail,
    }),
    ...(next ? { next } : {}),
  });
  if (!approver.roles.includes(row.approverRole)) {
    return refused('GL_APPROVAL_FORBIDDEN', `Approving ${row.id} takes the role '${row.approverRole}'.`);
  }
  if (row.status !== 'pending') {
    return refused(
      row.status === 'expired' ? 'GL_APPROVAL_EXPIRED' : 'GL_APPROVAL_CLOSED',
      `${row.id} is already ${row.status}.`,
    );
  }
  if (now >= row.deadline) {
    return refused('GL_APPROVAL_EXPIRED', `${row.id} passed its deadline.`, expired(row, now));
  }
  if (mine) return refused('GL_APPROVAL_CLOSED', `${approver.id} already voted ${mine.verdict} on ${row.id}.`);
  const votes = [...row.votes, { approverId: approver.id, verdict, reason, at: now }];
  const approvals = votes.filter((v) => v.verdict === 'approve').length;
  const status = verdict === 'deny' ? 'denied' : approvals >= row.approversRequired ? 'approved' : 'pending';
  const next: ApprovalRow = { ...row, votes, status, decidedAt: status === 'pending' ? null : now };
  if (status !== 'approved') {
    const kind = status === 'pending' ? 'approval_vote' : 'approval_decided';
    return {
      kind: 'write',
      next,
      audit: auditOf(row, kind, actor, now, { approvalId: row.id, verdict, reason, status }),
    };
  }
  const override: OverrideRow = {
    id: `${row.id}.override`,
    approvalId: row.id,
    sessionId: row.sessionId,
    kind: row.kind,
    bound: row.bound,
    paramsHash: row.paramsHash,
    expiresAt: now + overrideTtlMs,
    usedAt: null,
    usedByDecision: null,
    createdAt: now,
  };
  next.overrideId = override.id;
  return {
    kind: 'write',
    next,
    override,
    audit: auditOf(row, 'approval_decided', actor, now, {
      approvalId: row.id,
      verdict,
      reason,
      status,
      approvers: votes.filter((v) => v.verdict === 'approve').map((v) => v.approverId),
      override: {
        id: override.id,
        kind: override.kind,
        bound: override.bound as Json,
        paramsHash: override.paramsHash,
        expiresAt: override.expiresAt,
      },
    }),
  };
}

export function expired(row: ApprovalRow, now: number): ApprovalRow {
  return { ...row, status: 'expired', decidedAt: now };
}

export function expiryAudit(row: ApprovalRow, now: number): AuditDraft {
  return auditOf(row, 'approval_expired', 'system', now, {
    approvalId: row.id,
    deadline: row.deadline,
    status: 'expired',
  });
}
