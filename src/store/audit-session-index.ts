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
 *
 * The mark also records the hash of the entry it stands at: should the chain no longer hold that
 * entry (a database file restored from an older copy, beside a newer index file), the index is
 * emptied when the store opens and rebuilt, instead of naming entries that are no longer there.
 */
import type { Dialect, SqlDb } from './sql.ts';

export const AUDIT_SESSION_INDEX = 'audit_session_index';

/**
 * How often the index catches up with the chain while entries are being appended. It holds up no
 * commit (`SqlDb.writeSessionIndex`: on SQLite in the maintenance thread, on a file of its own,
 * `sqlite-session-index.ts`; on PostgreSQL on a connection of its own); a longer interval rewrites
 * each session's index page less often, and leaves reads a few more entries to scan. SQLite's
 * decision ids, indexed under the same mark, also have it catch up as soon as it is far behind
 * (`SqlDb.decisionIds`).
 */
const INDEX_INTERVAL_MS = 250;

/** The index's mark: the last entry it covers (SQL, a scalar subquery). */
export const MARK = `(SELECT seq FROM index_marks WHERE name = '${AUDIT_SESSION_INDEX}')`;

/**
 * SQL for the seqs of one session's audit entries (two `?`, both the session id), as a subquery:
 * those indexed, then those after the mark.
 */
export const SESSION_SEQS = `SELECT seq FROM ${AUDIT_SESSION_INDEX} WHERE session_id = ?
  UNION ALL SELECT seq FROM audit_entries
  WHERE seq > ${MARK} AND session_id = ?`;

/** How many entries the index is behind the chain. */
const BEHIND = `SELECT COALESCE((SELECT MAX(seq) FROM audit_entries), 0) - COALESCE(${MARK}, 0) AS behind`;

/**
 * Rows already in an index are skipped. SQLite: `INSERT OR IGNORE`, which needs no statement
 * journal (a skipped row leaves nothing to undo), where `ON CONFLICT DO NOTHING` and a plain
 * INSERT keep one of every index page they change: a catch-up of 500 entries took 1.1 ms instead
 * of 1.8 ms (the decision ids': 1.2 instead of 2.1). PostgreSQL has no `OR IGNORE`.
 */
export function insertSkippingIndexed(dialect: Dialect, into: string, select: string): string {
  return dialect === 'sqlite'
    ? `INSERT OR IGNORE INTO ${into} ${select}`
    : `INSERT INTO ${into} ${select} ON CONFLICT DO NOTHING`;
}

/**
 * The first statement writes the index: on SQLite (a transaction begun deferred) that takes the
 * index file's write lock, waiting out another process's catch-up, before the chain is read.
 */
function catchUp(dialect: Dialect): string[] {
  return [
    insertSkippingIndexed(
      dialect,
      `${AUDIT_SESSION_INDEX} (session_id, seq)`,
      `SELECT session_id, seq FROM audit_entries WHERE seq > ${MARK} AND session_id IS NOT NULL ORDER BY session_id, seq`,
    ),
    `UPDATE index_marks SET seq = (SELECT COALESCE(MAX(seq), 0) FROM audit_entries),
   hash = (SELECT hash FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries))
   WHERE name = '${AUDIT_SESSION_INDEX}'`,
  ];
}

/** The mark stands at an entry the chain no longer holds, with that hash. */
export const MARK_LOST = `EXISTS (SELECT 1 FROM index_marks m WHERE m.name = '${AUDIT_SESSION_INDEX}' AND m.hash IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM audit_entries e WHERE e.seq = m.seq AND e.hash = m.hash))`;

/** Empties the index and its mark if the mark is lost: the next catch-up rebuilds it. */
const RESET_IF_MARK_LOST = [
  `DELETE FROM ${AUDIT_SESSION_INDEX} WHERE ${MARK_LOST}`,
  `UPDATE index_marks SET seq = 0, hash = NULL WHERE name = '${AUDIT_SESSION_INDEX}' AND ${MARK_LOST}`,
];

/**
 * Keeps `audit_session_index` caught up: every `intervalMs` while entries are being appended, in
 * one transaction of the backend's own beside the group commit (`SqlDb.writeSessionIndex`). Each
 * session's index page is then written once per catch-up instead of once per commit. An idle
 * store writes nothing. `close` catches up one last time.
 */
export class AuditSessionIndexer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  private readonly catchUpStatements: readonly string[];
  private readonly resetStatements: readonly string[];
  private readonly pollMs: number;
  private readonly behindLimit: number;
  private lastCatchUp = 0;

  /**
   * Where decision ids are indexed in bulk too (`SqlDb.decisionIds`, SQLite), their statements
   * run first in each catch-up and reset, under the same mark, and the index also catches up as
   * soon as it is their `behindLimit` entries behind.
   */
  constructor(
    private readonly db: SqlDb,
    private readonly intervalMs = INDEX_INTERVAL_MS,
  ) {
    const ids = db.decisionIds;
    this.catchUpStatements = ids ? [...ids.catchUp, ...catchUp(db.dialect)] : catchUp(db.dialect);
    this.resetStatements = ids ? [...ids.reset, ...RESET_IF_MARK_LOST] : RESET_IF_MARK_LOST;
    this.pollMs = Math.min(intervalMs, ids?.pollMs ?? intervalMs);
    this.behindLimit = ids?.behindLimit ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Empties the index if its mark is lost (see above) and catches it up (a store opened on a large
   * unindexed chain waits for it here, not in every commit's scan), then every `intervalMs`.
   */
  async start(): Promise<void> {
    await this.db.writeSessionIndex(this.resetStatements);
    await this.catchUp();
    this.timer ??= setInterval(() => void this.poll().catch(() => {}), this.pollMs);
    this.timer.unref();
  }

  /** Catches up if `intervalMs` has passed since the last time, or the index is `behindLimit` behind. */
  private async poll(): Promise<void> {
    if (this.running) return;
    const due = performance.now() - this.lastCatchUp >= this.intervalMs;
    if (!due && (await this.behind()) < this.behindLimit) return;
    await this.catchUp();
  }

  private async behind(): Promise<number> {
    const [row] = await this.db.read.all<{ behind: number }>(BEHIND);
    return Number(row?.behind ?? 0);
  }

  /** Indexes every entry committed so far, if any is not yet (one catch-up at a time). */
  catchUp(): Promise<void> {
    this.lastCatchUp = performance.now();
    this.running ??= this.indexIfBehind().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async indexIfBehind(): Promise<void> {
    if ((await this.behind()) <= 0) return;
    await this.db.writeSessionIndex(this.catchUpStatements);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    await this.catchUp();
  }
}
