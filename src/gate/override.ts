import type { Override } from '../../machines/session/types.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import type { Proposal } from '../model/proposal.ts';
import { sha256Hex } from '../model/sha256.ts';
import type { SessionView, Verdict } from './types.ts';
import { deny, reason } from './verdict.ts';

/** The hash an approval and its override are bound to: kind and parameters, canonical. */
export function paramsHash(proposal: Pick<Proposal, 'kind' | 'params'>): string {
  return sha256Hex(canonicalJson({ kind: proposal.kind, params: proposal.params })).slice(0, 32);
}

export type OverrideCheck = { override: Override } | { verdict: Verdict } | null;

/**
 * Law 4: an override is single-use, scoped to this session, this action kind and the approved
 * bound, and it expires. Returns null when the proposal names no override.
 */
export function checkOverride(view: SessionView, proposal: Proposal, at: number): OverrideCheck {
  if (!proposal.override) return null;
  const id = proposal.override;
  const facts = { override: id, kind: proposal.kind };
  const override = view.overrides.find((o) => o.id === id);
  if (!override) {
    return {
      verdict: deny(
        reason(
          'override.not_usable',
          'This override is unknown here: already used, never granted, or granted for another session.',
          facts,
        ),
      ),
    };
  }
  if (at >= override.expiresAt) {
    return {
      verdict: deny(
        reason('override.expired', 'This override has expired; ask for a new approval.', {
          ...facts,
          expiresAt: override.expiresAt,
        }),
      ),
    };
  }
  if (override.kind !== proposal.kind) {
    return {
      verdict: deny(
        reason('override.wrong_kind', `This override was granted for ${override.kind}, not ${proposal.kind}.`, facts),
      ),
    };
  }
  if (!withinBound(override, proposal)) {
    return {
      verdict: deny(
        reason('override.above_bound', 'This proposal goes beyond what was approved.', {
          ...facts,
          approved: override.bound,
        }),
      ),
    };
  }
  return { override };
}

/** A concession may use an override for the same type up to the approved value; anything else must match exactly. */
function withinBound(override: Override, proposal: Proposal): boolean {
  if (proposal.kind === 'concession' && override.bound.type === proposal.params.type) {
    const approved = override.bound.value;
    const asked = proposal.params.value;
    if (typeof approved === 'number' && typeof asked === 'number') return asked <= approved;
    return approved === null && asked === null;
  }
  if (proposal.kind === 'say' && typeof override.bound.text === 'string')
    return override.bound.text === proposal.params.text;
  return override.paramsHash === paramsHash(proposal);
}
