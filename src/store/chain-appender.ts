import { chainEntry } from '../audit/hash.ts';
import type { AuditSigner } from '../audit/keys.ts';
import type { BufferedTx } from './buffered-tx.ts';
import { forUpdate } from './sql.ts';
import type { AuditDraft, AuditEntry } from './types.ts';

export const AUDIT_COLUMNS = [
  'seq',
  'id',
  'at',
  'session_id',
  'actor',
  'kind',
  'payload',
  'policy_version',
  'body_hash',
  'prev_hash',
  'hash',
] as const;

/**
 * Appends entries to the hash chain inside one group-commit transaction. The head row is read
 * (and on PostgreSQL locked, so nodes append one at a time) at the start; at the end the new head
 * is written and signed, in the same transaction.
 */
export class ChainAppender {
  private seq = 0;
  private hash = '';
  private appended = 0;

  constructor(
    private readonly tx: BufferedTx,
    private readonly signer: AuditSigner,
  ) {}

  async begin(): Promise<void> {
    const rows = await this.tx.all<{ seq: number; hash: string }>(
      `SELECT seq, hash FROM audit_head WHERE id = 1${forUpdate(this.tx.dialect)}`,
    );
    const head = rows[0];
    if (!head) throw new Error('audit_head row is missing: the schema was not migrated');
    this.seq = Number(head.seq);
    this.hash = head.hash;
  }

  /** Chains the draft; `payloadText` is its canonical JSON payload (reusable as a row body). */
  append(draft: AuditDraft): AuditEntry & { payloadText: string } {
    const entry = chainEntry(draft, this.seq + 1, this.hash);
    this.tx.insert('audit_entries', AUDIT_COLUMNS, [
      entry.seq,
      entry.id,
      entry.at,
      entry.sessionId,
      entry.actor,
      entry.kind,
      entry.payloadText,
      entry.policyVersion,
      entry.bodyHash,
      entry.prevHash,
      entry.hash,
    ]);
    this.seq = entry.seq;
    this.hash = entry.hash;
    this.appended++;
    return entry;
  }

  /** Writes and signs the new head if anything was appended. */
  async finish(now: number): Promise<void> {
    if (this.appended === 0) return;
    const head = this.signer.signHead(this.seq, this.hash, now);
    this.tx.insert(
      'audit_signatures',
      ['seq', 'hash', 'key_id', 'signature', 'signed_at'],
      [head.seq, head.hash, head.keyId, head.signature, head.signedAt],
    );
    await this.tx.run('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [this.seq, this.hash]);
  }
}
