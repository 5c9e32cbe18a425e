import { canonicalJson } from '../model/canonical-json.ts';
import { sha256Hex } from '../model/sha256.ts';
import type { AuditDraft, AuditEntry } from '../store/types.ts';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * sha256 of the canonical entry body: everything but seq, sessionId and the hashes.
 * `payloadText`, when the caller already has it, is `canonicalJson(draft.payload)`.
 */
export function bodyHashOf(draft: AuditDraft, payloadText: string = canonicalJson(draft.payload)): string {
  // Keys in canonical (sorted) order: actor, at, id, kind, payload, policyVersion.
  const body = `{"actor":${JSON.stringify(draft.actor)},"at":${canonicalJson(draft.at)},"id":${JSON.stringify(draft.id)},"kind":${JSON.stringify(draft.kind)},"payload":${payloadText},"policyVersion":${canonicalJson(draft.policyVersion)}}`;
  return sha256Hex(body);
}

/**
 * An entry's own hash: sha256(canonical([prevHash, sessionId, bodyHash])). Keeping the body behind
 * its own digest lets an export show another session's entry as (sessionId, bodyHash) only and
 * still let an auditor recompute every link.
 */
export function linkHashOf(prevHash: string, sessionId: string | null, bodyHash: string): string {
  return sha256Hex(JSON.stringify([prevHash, sessionId, bodyHash]));
}

/**
 * Chains a draft after `prevHash`; also returns the payload's canonical text (what is stored).
 * The entry is written out field by field, not as `{ ...draft, seq, … }`: see `src/model/extended.ts`
 * for what such a spread costs on Node 20.
 */
export function chainEntry(draft: AuditDraft, seq: number, prevHash: string): AuditEntry & { payloadText: string } {
  const payloadText = canonicalJson(draft.payload);
  const bodyHash = bodyHashOf(draft, payloadText);
  return {
    id: draft.id,
    at: draft.at,
    sessionId: draft.sessionId,
    actor: draft.actor,
    kind: draft.kind,
    payload: draft.payload,
    policyVersion: draft.policyVersion,
    seq,
    bodyHash,
    prevHash,
    hash: linkHashOf(prevHash, draft.sessionId, bodyHash),
    payloadText,
  };
}

/** The bytes a head signature covers. */
export function headMessage(seq: number, hash: string): Buffer {
  return Buffer.from(`guardline-audit-head/1:${seq}:${hash}`, 'utf8');
}
