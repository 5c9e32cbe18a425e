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

/** The newest entry of the chain: its seq and hash (0 and the genesis hash when empty). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Appends entries to the hash chain inside one group-commit transaction. It starts from the head
 * row, read (and on PostgreSQL locked, so nodes append one at a time) at the start, or from the
 * head the caller expects it to hold (the head the transaction before it leaves, while that one
 * is still committing): then the transaction's first statement checks that the row holds it, and
 * if not (another process appended meanwhile) the transaction fails with UNEXPECTED_CHANGES
 * before anything is written. At the end the new head is signed and written, in the same
 * transaction.
 */
export class ChainAppender {
  private seq = 0;
  private hash = '';
  private appended = 0;

  constructor(
    private readonly tx: BufferedTx,
    private readonly signer: AuditSigner,
  ) {}

  async begin(expected?: ChainHead): Promise<void> {
    let head = expected;
    if (head) {
      await this.tx.write(
        'UPDATE audit_head SET seq = seq WHERE id = 1 AND seq = ? AND hash = ?',
        [head.seq, head.hash],
        1,
      );
    } else {
      const rows = await this.tx.all<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_head WHERE id = 1${forUpdate(this.tx.dialect)}`,
      );
      const row = rows[0];
      if (!row) throw new Error('audit_head row is missing: the schema was not migrated');
      head = { seq: Number(row.seq), hash: row.hash };
    }
    this.seq = head.seq;
    this.hash = head.hash;
  }

  /** The head once this transaction commits. */
  get head(): ChainHead {
    return { seq: this.seq, hash: this.hash };
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
    await this.tx.write('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [this.seq, this.hash], 1);
  }
}
