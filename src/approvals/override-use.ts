import { paramsHash } from '../gate/override.ts';
import type { Proposal } from '../model/index.ts';
import type { AuditDraft, OverrideRow } from '../store/types.ts';

export type OverrideRefusal = 'unknown' | 'already_used' | 'expired' | 'other_session' | 'other_kind' | 'above_bound';

export interface OverrideUse {
  sessionId: string;
  /** The proposal the override is used for (kind and parameters). */
  proposal: Pick<Proposal, 'kind' | 'params'>;
  /** The decision that consumes it. */
  decisionId: string;
  actor: string;
}

/**
 * Law 4: single use, this session, this action kind, within the approved bound (a concession of
 * the approved type up to the approved value; otherwise exactly the approved parameters), before
 * it expires. Returns the reason it is refused, or null.
 */
export function refusalOf(row: OverrideRow | null, use: OverrideUse, now: number): OverrideRefusal | null {
  if (!row) return 'unknown';
  if (row.usedAt !== null) return 'already_used';
  if (now >= row.expiresAt) return 'expired';
  if (row.sessionId !== use.sessionId) return 'other_session';
  if (row.kind !== use.proposal.kind) return 'other_kind';
  return withinBound(row, use.proposal) ? null : 'above_bound';
}

function withinBound(row: OverrideRow, proposal: Pick<Proposal, 'kind' | 'params'>): boolean {
  if (proposal.kind === 'concession') {
    const params = proposal.params as { type: string; value: number | null };
    if (row.bound.type === params.type) {
      const approved = row.bound.value;
      if (typeof approved === 'number' && typeof params.value === 'number') return params.value <= approved;
      if (approved === null || approved === undefined) return params.value === null;
    }
  }
  return row.paramsHash === paramsHash(proposal as Proposal);
}

export function overrideAudit(
  id: string,
  row: OverrideRow | null,
  use: OverrideUse,
  refusal: OverrideRefusal | null,
  now: number,
): AuditDraft {
  return {
    id: `${refusal ? 'override_refused' : 'override_used'}:${id}:${use.decisionId}`,
    at: now,
    sessionId: use.sessionId,
    actor: use.actor,
    kind: refusal ? 'override_refused' : 'override_used',
    payload: {
      overrideId: id,
      approvalId: row?.approvalId ?? null,
      decisionId: use.decisionId,
      kind: use.proposal.kind,
      paramsHash: paramsHash(use.proposal as Proposal),
      ...(refusal ? { refused: refusal, grantedTo: row ? { sessionId: row.sessionId, kind: row.kind } : null } : {}),
    },
    policyVersion: null,
  };
}
