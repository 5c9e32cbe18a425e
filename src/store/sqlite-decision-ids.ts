/**
 * On SQLite, decision ids are kept unique without a unique index that every group commit rewrites.
 *
 * A decision's id is `<session>:d<n>`, so a unique index on it placed each decision on its own
 * session's leaf page, and each group commit rewrote one such page per decision: 1,140 B of the
 * 2,671 B of WAL a durable decision wrote at 10,000/s, written again by the checkpoint. Instead the
 * ids are indexed in bulk, as the audit entries' sessions are (`audit-session-index.ts`): the
 * table `decision_ids` in the index file (`sqlite-session-index.ts`) holds every decision up to the
 * index's mark, caught up with the session index in the same transaction, under the same mark.
 *
 * A group commit's new decision ids are checked in two parts that meet at a mark read together
 * with the index, once its items have run:
 * - up to the mark, on the main thread, in the index file (`INDEXED_DECISION_IDS`): one found,
 *   the transaction fails with `GL_STORE_CONFLICT` before anything is sent (then each item is
 *   retried alone, and only the duplicate fails);
 * - after the mark, in the writer's own transaction, once the batch's rows are written (a `claim`
 *   step, `sqlite-thread-source.ts`): an id recorded since the mark, or twice in the batch, fails
 *   the transaction as a unique constraint would (then each item is retried alone, and only the
 *   duplicate fails). The writer thread remembers the ids its own commits recorded since the mark
 *   and checks them there. Whenever that memory may be incomplete (another process committed to
 *   the database since it was made; the store just opened; the mark went back) it runs
 *   `RECENT_DUPLICATES` instead, which counts every decision recorded since the mark whose id is
 *   one of the batch's, and makes the memory again after the commit. Either way it sees every
 *   decision committed before the transaction, by any process, and those before it in the same
 *   transaction (merged into one flush).
 * A mark read earlier than the writer's transaction only makes the second part remember (or scan)
 * more. The catch-up bounds that: at 10,000 decisions/s and a catch-up every 50 ms, a few hundred
 * decisions (`BEHIND_LIMIT`). Scanning them in every commit had taken as long as all its other
 * statements together (0.12 of 0.25 ms per transaction, store bench).
 */
import { GuardlineError } from '../errors/index.ts';
import { AUDIT_SESSION_INDEX, insertSkippingIndexed, MARK, MARK_LOST } from './audit-session-index.ts';
import type { DecisionClaim, DecisionIdIndex, TxConn } from './sql.ts';
import type { ClaimStep } from './sqlite-thread.ts';

export const DECISION_IDS = 'decision_ids';

/** The table, as the index file's setup creates it (in `schema`). */
export function decisionIdsTable(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${schema}.${DECISION_IDS} (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID`;
}

/**
 * Run before `decisionIdsTable` on an index file made before the table existed: its mark then
 * covers entries whose decisions the new table does not hold, so the mark goes back to 0 and the
 * next catch-up indexes the whole chain (the session index's rows are kept; re-adding them is a
 * no-op).
 */
export function rebuildWithoutDecisionIds(schema: string): string {
  return `UPDATE ${schema}.index_marks SET seq = 0, hash = NULL WHERE name = '${AUDIT_SESSION_INDEX}'
    AND NOT EXISTS (SELECT 1 FROM ${schema}.sqlite_master WHERE type = 'table' AND name = '${DECISION_IDS}')`;
}

/** The catch-up's statement for the ids, run before the session index's moves the mark. */
const CATCH_UP_DECISION_IDS = [
  insertSkippingIndexed(
    'sqlite',
    `${DECISION_IDS} (id, seq)`,
    `SELECT id, audit_seq FROM decisions WHERE audit_seq > ${MARK} ORDER BY id`,
  ),
];

/** Empties the ids where the session index is emptied (its mark is lost: `audit-session-index.ts`). */
const RESET_DECISION_IDS = [`DELETE FROM ${DECISION_IDS} WHERE ${MARK_LOST}`];

/**
 * On SQLite the index catches up as soon as it is this many entries behind (or every 250 ms, as
 * ever): at 10,000/s that is every 50 ms or so, and the writer keeps (or, falling back, scans) a few
 * hundred ids after the mark. Each catch-up rewrites a page of the index file per session, so at
 * lower rates it keeps the longer interval. Catching up every 2,500 entries instead wrote 15% fewer
 * bytes but did not lower the p99 (2026-12-07).
 */
const BEHIND_LIMIT = 500;
const POLL_MS = 25;

/** The index's mark, and which of the ids (`?`, a JSON array) it holds: one statement, one snapshot. */
export const INDEXED_DECISION_IDS = `SELECT ${MARK} AS mark,
  (SELECT json_group_array(id) FROM ${DECISION_IDS} WHERE id IN (SELECT value FROM json_each(?))) AS taken`;

/** The decisions recorded after a mark (`?`), for the writer thread to remember (`SqliteThreadOptions.recentIds`). */
export const RECENT_IDS = 'SELECT id, audit_seq AS seq FROM decisions WHERE audit_seq > ?';

const DUPLICATE = { code: 'SQLITE_CONSTRAINT_UNIQUE', message: 'UNIQUE constraint failed: decisions.id' };

/**
 * An UPDATE that changes the rows of every decision recorded after the mark (the first `?`) whose
 * id is one of the batch's (the second, a JSON array of distinct ids). Each of the batch's ids has
 * its own row there, so it changes exactly as many rows as there are ids unless an id is taken
 * twice. It rewrites only rows this transaction just wrote, on pages it already wrote, unless
 * there is a duplicate. One SQL text whatever the batch's size, so the writer's prepared statement
 * is reused.
 */
const RECENT_DUPLICATES = `UPDATE decisions SET id = id
  WHERE audit_seq > ? AND id IN (SELECT value FROM json_each(?))`;

/** The seqs of the decision with id `?` (twice): indexed, or recorded after the mark. */
const DECISION_SEQ = `SELECT seq FROM ${DECISION_IDS} WHERE id = ?
  UNION ALL SELECT audit_seq FROM decisions WHERE audit_seq > ${MARK} AND id = ?`;

/**
 * The decision ids of a SQLite store, read through `indexed` (the reader's prepared
 * `INDEXED_DECISION_IDS`, given the ids as a JSON array) and claimed in the writer's transaction
 * through `claim` (a `claim` step sent with the transaction's other writes).
 */
export function sqliteDecisionIds(
  indexed: (idsJson: string) => { mark: number | null; taken: string },
  claim: (tx: TxConn, step: ClaimStep) => void,
): DecisionIdIndex {
  return {
    async check(tx: TxConn, claims: readonly DecisionClaim[]) {
      const ids = claims.map((c) => c.id);
      const distinct = [...new Set(ids)];
      const json = JSON.stringify(distinct);
      const { mark, taken } = indexed(json);
      const found = JSON.parse(taken) as string[];
      if (found.length > 0) throw new GuardlineError('GL_STORE_CONFLICT', `Decision ${found.join(', ')} exists.`);
      const from = mark ?? 0;
      claim(tx, {
        op: 'claim',
        mark: from,
        ids,
        seqs: claims.map((c) => c.seq),
        fallback: {
          op: 'run',
          sql: RECENT_DUPLICATES,
          params: [from, json],
          expect: distinct.length,
          mismatch: DUPLICATE,
        },
      });
    },
    seqsOf: DECISION_SEQ,
    catchUp: CATCH_UP_DECISION_IDS,
    reset: RESET_DECISION_IDS,
    behindLimit: BEHIND_LIMIT,
    pollMs: POLL_MS,
  };
}
