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

export interface SqlDb {
  readonly dialect: Dialect;
  /** Reads outside any transaction (committed data only). */
  readonly read: SqlConn;
  /** One write transaction at a time; commits durably before resolving. */
  transaction<T>(fn: (tx: SqlConn) => Promise<T>): Promise<T>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
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

/** `FOR UPDATE [SKIP LOCKED]` where the dialect has row locks (SQLite has one writer anyway). */
export function forUpdate(dialect: Dialect, skipLocked = false): string {
  if (dialect === 'sqlite') return '';
  return skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE';
}
