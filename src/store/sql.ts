/**
 * The tiny SQL seam both backends implement. Statements are written once with `?` placeholders
 * in SQL that SQLite and PostgreSQL both accept; the PostgreSQL adapter renumbers them to `$n`.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Row = Record<string, unknown>;

export interface SqlConn {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** A connection inside a write transaction. */
export interface TxConn extends SqlConn {
  /**
   * A write whose result the caller does not need. If it fails, or changes another number of rows
   * than `expectChanges` (when given), the transaction fails: its commit rejects with that error.
   * A pipelining backend sends it and returns at once; the others wait for it.
   */
  write(sql: string, params?: readonly unknown[], expectChanges?: number): Promise<void>;
}

/** A decision id a transaction records, and the seq of the decision's audit entry. */
export interface DecisionClaim {
  id: string;
  seq: number;
}

/** Where decision ids are kept unique in bulk instead of by a unique index (SQLite: `sqlite-decision-ids.ts`). */
export interface DecisionIdIndex {
  /**
   * Fails the transaction `tx` (whose decisions' rows are written) with `GL_STORE_CONFLICT` if any
   * of the ids it `claims` was recorded before, or is claimed twice in it.
   */
  check(tx: TxConn, claims: readonly DecisionClaim[]): Promise<void>;
  /** SQL for the seq of the decision with id `?` (given twice), as a subquery. */
  readonly seqsOf: string;
  /** Statements the session index's catch-up runs first, and its reset (where the mark is lost). */
  readonly catchUp: readonly string[];
  readonly reset: readonly string[];
  /**
   * The catch-up also runs as soon as the index is this many entries behind (checked every
   * `pollMs`): that bounds how many decision ids the check keeps after the mark.
   */
  readonly behindLimit: number;
  readonly pollMs: number;
}

export interface TransactionOptions {
  /**
   * Commit only if the transaction begun just before this one commits (it may still be
   * committing while this one is prepared, on a pipelining backend); otherwise fail with
   * PREDECESSOR_FAILED. Backends that run one transaction at a time ignore it.
   */
  dependent?: boolean;
}

export interface SqlDb {
  readonly dialect: Dialect;
  /**
   * Whether a transaction can be prepared while the one before it commits (SQLite's writer
   * thread): its statements are queued behind that commit and `TxConn.write` does not wait.
   */
  readonly pipelined: boolean;
  /** Reads outside any transaction (committed data only). */
  readonly read: SqlConn;
  /**
   * Write transactions run one after another, in the order they are begun; each commits durably
   * before resolving.
   */
  transaction<T>(fn: (tx: TxConn) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Runs statements that write only the audit entries' session index, in one transaction of their
   * own outside the group commit, so no commit waits for it: on SQLite in the maintenance thread,
   * on a file of its own; on PostgreSQL on a connection of its own, with one snapshot for all of
   * the statements.
   */
  writeSessionIndex(statements: readonly string[]): Promise<void>;
  /** Present where the decisions table has no unique index on `id` (SQLite). */
  readonly decisionIds?: DecisionIdIndex;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** The error code of a `TxConn.write` that changed another number of rows than expected. */
export const UNEXPECTED_CHANGES = 'UNEXPECTED_CHANGES';
/** The error code of a dependent transaction whose predecessor did not commit. */
export const PREDECESSOR_FAILED = 'PREDECESSOR_FAILED';

/** An error with a `code`, as both backends' drivers throw them. */
export function sqlError(message: string, code: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

/**
 * A transaction prepared ahead failed for want of fresh state (the chain head moved, or the
 * transaction before it failed), not because of anything in it: worth one more try as it is.
 */
export function isStale(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === UNEXPECTED_CHANGES || code === PREDECESSOR_FAILED;
}

const converted = new Map<string, string>();

/** `?` → `$1, $2, …` (no statement here has a `?` inside a string literal). */
export function toPostgresPlaceholders(sql: string): string {
  let out = converted.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    if (converted.size > 2000) converted.clear();
    converted.set(sql, out);
  }
  return out;
}

/** ` WHERE a AND b …`, or nothing for no conditions. */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
}

/** SQL for the text of top-level member `key` (a constant, never user input) of a JSON text column. */
export function jsonMember(dialect: Dialect, column: string, key: string): string {
  return dialect === 'sqlite' ? `json_extract(${column}, '$.${key}')` : `(${column}::jsonb ->> '${key}')`;
}

/** `FOR UPDATE [SKIP LOCKED]` where the dialect has row locks (SQLite has one writer anyway). */
export function forUpdate(dialect: Dialect, skipLocked = false): string {
  if (dialect === 'sqlite') return '';
  return skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
}
