/**
 * On SQLite the audit entries' session index (`audit-session-index.ts`) lives in a database file
 * of its own beside the store's, `<file>-session-index`, attached as `session_index` by the
 * maintenance thread (which alone writes it) and by the main thread's reader. Catching it up then
 * takes the index file's write lock, never the store's: the writer thread's commits, and every
 * decision waiting on them, no longer queue behind it. In the store's file its catch-up had been
 * one unit of the group commit every 50 ms, 1.8–3 ms of statements that each decision committed
 * with it waited for.
 *
 * The file holds nothing that cannot be rebuilt from the chain: it may be deleted while the store
 * is closed, and is rebuilt in the background (reads scan the chain meanwhile). It is written with
 * `synchronous=NORMAL`: a crash may lose its latest catch-ups, which only leaves its mark lower.
 */
import { AUDIT_SESSION_INDEX } from './audit-session-index.ts';
import { decisionIdsTable, rebuildWithoutDecisionIds } from './sqlite-decision-ids.ts';
import { type AttachedFile, NEW_FILE_PAGE_SIZE } from './sqlite-thread.ts';

/** The schema name the index file is attached under. */
export const SESSION_INDEX_SCHEMA = 'session_index';

/** The index file beside the store's database `file`. */
export function sessionIndexFile(file: string): string {
  return `${file}-session-index`;
}

/**
 * The index file, as the maintenance thread attaches it: the same tables `006_audit_session_index`
 * made in the store's file (and `007_session_index_file` took out of it, on SQLite), created on
 * first use with a mark at 0, so the first catch-up indexes the whole chain.
 */
export function sessionIndexAttachment(file: string): AttachedFile {
  const schema = SESSION_INDEX_SCHEMA;
  return {
    file: sessionIndexFile(file),
    schema,
    setup: [
      `PRAGMA ${schema}.page_size = ${NEW_FILE_PAGE_SIZE}`,
      `PRAGMA ${schema}.journal_mode = WAL`,
      `PRAGMA ${schema}.synchronous = NORMAL`,
      `CREATE TABLE IF NOT EXISTS ${schema}.${AUDIT_SESSION_INDEX} (
         session_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID`,
      `CREATE TABLE IF NOT EXISTS ${schema}.index_marks (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, hash TEXT)`,
      `INSERT OR IGNORE INTO ${schema}.index_marks (name, seq) VALUES ('${AUDIT_SESSION_INDEX}', 0)`,
      rebuildWithoutDecisionIds(schema),
      decisionIdsTable(schema),
    ],
  };
}
