import type { AuditDraft } from './approvals.ts';
import type { Millis } from './common.ts';

// --- audit -----------------------------------------------------------------------------------
export type AuditKind =
  | 'session_started'
  | 'session_ended'
  | 'decision'
  | 'directive'
  | 'approval_requested'
  | 'approval_vote'
  | 'approval_decided'
  | 'approval_expired'
  | 'override_used'
  | 'override_refused'
  | 'policy_created'
  | 'policy_activated'
  | 'policy_publication_requested'
  | 'policy_publication_decided'
  | 'shadow_started'
  | 'shadow_stopped'
  | 'suspension_set'
  | 'suspension_lifted';

export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  /** sha256 of the canonical entry body (everything above except seq, sessionId, hashes). */
  bodyHash: string;
  /** `hash` of the entry before (64 zeros for the first). */
  prevHash: string;
  /** sha256(canonical([prevHash, sessionId, bodyHash])). */
  hash: string;
}

/** The chain head signed with the audit key (Ed25519 over `guardline-audit-head/1:<seq>:<hash>`). */
export interface SignedHead {
  seq: number;
  hash: string;
  /** sha256 (hex, first 16) of the public key's DER. */
  keyId: string;
  /** base64 */
  signature: string;
  signedAt: Millis;
}

export interface AuditStore {
  /** Appends entries (one durable transaction, chained and head-signed). */
  append(drafts: AuditDraft[]): Promise<AuditEntry[]>;
  /** Entries with fromSeq <= seq <= toSeq in seq order (the raw rows, as stored). */
  range(fromSeq: number, toSeq: number): Promise<AuditEntry[]>;
  /** Entries of one session in seq order. */
  listBySession(sessionId: string): Promise<AuditEntry[]>;
  /** The latest signed head, or null for an empty chain. */
  head(): Promise<SignedHead | null>;
  /** Signed heads with fromSeq <= seq <= toSeq. */
  signatures(fromSeq: number, toSeq: number): Promise<SignedHead[]>;
  /** The first signed head at or after `seq`. */
  signatureAtOrAfter(seq: number): Promise<SignedHead | null>;
  findById(id: string): Promise<AuditEntry | null>;
  /** Entries whose own hash / whose prevHash is `hash` (the verifier uses these to name a break). */
  findByHash(hash: string): Promise<AuditEntry[]>;
  findByPrevHash(hash: string): Promise<AuditEntry[]>;
  /** The largest seq stored (0 when empty), whatever the head says. */
  maxSeq(): Promise<number>;
}
