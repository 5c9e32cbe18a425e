import { createHash } from 'node:crypto';
import type { AuditDraft, AuditEntry } from '../store/types.ts';
import { canonicalJson } from './canonical.ts';

/** The `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of the canonical entry body: everything but seq, sessionId and the hashes. */
export function bodyHashOf(draft: AuditDraft): string {
  return sha256Hex(
    canonicalJson({
      id: draft.id,
      at: draft.at,
      actor: draft.actor,
      kind: draft.kind,
      payload: draft.payload,
      policyVersion: draft.policyVersion,
    }),
  );
}

/**
 * An entry's own hash: sha256(canonical([prevHash, sessionId, bodyHash])). Keeping the body behind
 * its own digest lets an export show another session's entry as (sessionId, bodyHash) only and
 * still let an auditor recompute every link.
 */
export function linkHashOf(prevHash: string, sessionId: string | null, bodyHash: string): string {
  return sha256Hex(canonicalJson([prevHash, sessionId, bodyHash]));
}

export function chainEntry(draft: AuditDraft, seq: number, prevHash: string): AuditEntry {
  const bodyHash = bodyHashOf(draft);
  return { ...draft, seq, bodyHash, prevHash, hash: linkHashOf(prevHash, draft.sessionId, bodyHash) };
}

/** The bytes a head signature covers. */
export function headMessage(seq: number, hash: string): Buffer {
  return Buffer.from(`guardline-audit-head/1:${seq}:${hash}`, 'utf8');
}
