/**
 * The audit entries of one session, found without an index that every group commit rewrites.
 *
 * An index on `audit_entries (session_id, seq)` makes each commit rewrite one index page per
 * session it touches; SQLite's WAL writes whole pages, so at 10,000 decisions/s that index alone
 * was about half of the bytes the store wrote. Instead `audit_session_index` is filled in bulk,
 * off the decisions' durable path: every entry up to the mark in `index_marks` is in it, and the
 * entries after the mark (a fraction of a second's worth) are found by scanning them. One
 * statement reads both, so it sees one committed state: the mark and the index rows it covers
 * are always written in the same transaction.
 */
import type { GroupCommitter } from './committer.ts';
import type { SqlDb } from './sql.ts';

const AUDIT_SESSION_INDEX = 'audit_session_index';

/**
 * How often the index catches up with the chain while entries are being appended. On SQLite each
 * catch-up holds the one writer (every decision queued behind it waits), so it runs often and
 * small: at 10,000 decisions/s, every 50 ms instead of every 250 ms took the store bench's p99
 * from 6.1–16.2 ms (median 10.1) to 6.4–12.2 ms (median 7.1) in 9 alternating runs, for about
 * 0.5 KB more written per decision. On PostgreSQL it runs under the chain head's lock, and rarely.
 */
const INDEX_INTERVAL_MS: Record<SqlDb['dialect'], number> = { sqlite: 50, postgres: 250 };

/**
 * SQL for the seqs of one session's audit entries (two `?`, both the session id), as a subquery:
 * those indexed, then those after the mark.
 */
export const SESSION_SEQS = `SELECT seq FROM ${AUDIT_SESSION_INDEX} WHERE session_id = ?
  UNION ALL SELECT seq FROM audit_entries
  WHERE seq > (SELECT seq FROM index_marks WHERE name = '${AUDIT_SESSION_INDEX}') AND session_id = ?`;

const FIRST_UNINDEXED = `SELECT seq FROM audit_entries
  WHERE seq > (SELECT seq FROM index_marks WHERE name = '${AUDIT_SESSION_INDEX}') LIMIT 1`;

const CATCH_UP = [
  `INSERT INTO ${AUDIT_SESSION_INDEX} (session_id, seq)
   SELECT session_id, seq FROM audit_entries
   WHERE seq > (SELECT seq FROM index_marks WHERE name = '${AUDIT_SESSION_INDEX}') AND session_id IS NOT NULL
   ORDER BY session_id, seq ON CONFLICT DO NOTHING`,
  `UPDATE index_marks SET seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_entries) WHERE name = '${AUDIT_SESSION_INDEX}'`,
];

/**
 * Keeps `audit_session_index` caught up: every `intervalMs` while entries are being appended, one
 * unit in the group commit (so on PostgreSQL it runs under the chain head's lock, one node at a
 * time, and no entry can commit below the mark after it moved). Each session's index page is
 * then written once per catch-up instead of once per commit. An idle store writes nothing.
 * `close` catches up one last time.
 */
export class AuditSessionIndexer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly db: SqlDb,
    private readonly committer: GroupCommitter,
    private readonly intervalMs = INDEX_INTERVAL_MS[db.dialect],
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.catchUp().catch(() => {}), this.intervalMs);
    this.timer.unref();
  }

  /** Indexes every entry committed so far, if any is not yet (one catch-up at a time). */
  catchUp(): Promise<void> {
    this.running ??= this.indexIfBehind().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async indexIfBehind(): Promise<void> {
    if ((await this.db.read.all(FIRST_UNINDEXED)).length === 0) return;
    await this.committer.submit(async (tx) => {
      for (const sql of CATCH_UP) await tx.write(sql);
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    await this.catchUp();
  }
}
