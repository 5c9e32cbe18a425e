import type { DecisionClaim, DecisionIdIndex, Dialect, Row, TxConn } from './sql.ts';

interface Pending {
  /** table, columns and suffix: what makes rows share one INSERT. */
  key: string;
  table: string;
  columns: readonly string[];
  suffix: string;
  rows: number;
  /** The rows' values, one after another: the parameters of a multi-row INSERT as they are. */
  values: unknown[];
}

const MAX_PARAMS = 30_000;
const CHUNK_SIZES = [256, 64, 16, 4, 1];
/** PostgreSQL's limit on a statement's parameters is 65,535. */
const PG_STATEMENT_PARAMS = 60_000;

const insertTexts = new Map<string, string>();

/** `INSERT INTO t (a,b) VALUES (?,?),(?,?)… suffix` for `rows` rows, built once per shape. */
function insertSql(group: Pending, rows: number): string {
  const key = `${group.key}|${rows}`;
  let sql = insertTexts.get(key);
  if (sql === undefined) {
    const tuple = `(${group.columns.map(() => '?').join(',')})`;
    sql = `INSERT INTO ${group.table} (${group.columns.join(',')}) VALUES ${Array.from({ length: rows }, () => tuple).join(',')}${group.suffix ? ` ${group.suffix}` : ''}`;
    if (insertTexts.size > 2000) insertTexts.clear();
    insertTexts.set(key, sql);
  }
  return sql;
}

interface Insert {
  table: string;
  sql: string;
  params: unknown[];
}

/**
 * PostgreSQL: INSERTs into different tables joined into one statement (`WITH w1 AS (INSERT …),
 * … INSERT …`), one round trip instead of one each: a group commit's audit entries, decisions and
 * signed head are one. Sub-statements of one statement share a snapshot and cannot see each
 * other's rows, so two INSERTs into the same table (whose conflicts would have to see each other)
 * are never joined; nor more parameters than a statement may have.
 */
function combined(inserts: readonly Insert[]): { sql: string; params: unknown[] }[] {
  const statements: { sql: string; params: unknown[] }[] = [];
  let batch: Insert[] = [];
  let params = 0;
  const close = () => {
    if (batch.length === 0) return;
    const last = batch[batch.length - 1] as Insert;
    const ctes = batch.slice(0, -1).map((insert, i) => `w${i} AS (${insert.sql})`);
    statements.push({
      sql: ctes.length === 0 ? last.sql : `WITH ${ctes.join(', ')} ${last.sql}`,
      params: batch.length === 1 ? last.params : batch.flatMap((insert) => insert.params),
    });
    batch = [];
    params = 0;
  };
  for (const insert of inserts) {
    if (batch.some((b) => b.table === insert.table) || params + insert.params.length > PG_STATEMENT_PARAMS) close();
    batch.push(insert);
    params += insert.params.length;
  }
  close();
  return statements;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A transaction whose inserts are buffered and written as multi-row INSERTs: a group commit of
 * hundreds of decisions costs a handful of statements, not hundreds of round trips. Any read or
 * update flushes the buffer first, so the transaction always sees its own writes in order.
 */
export class BufferedTx implements TxConn {
  /** Rows waiting, by table, columns and suffix (a handful of shapes per transaction). */
  private pending: Pending[] = [];
  private readonly afterCommit: (() => void)[] = [];
  /** Decision ids to check, and where (`sqlite-decision-ids.ts`). */
  private claimed: { index: DecisionIdIndex; claims: DecisionClaim[] } | null = null;

  constructor(
    private readonly tx: TxConn,
    readonly dialect: Dialect,
  ) {}

  /** Queues one row; `suffix` is e.g. `ON CONFLICT DO NOTHING`. */
  insert(table: string, columns: readonly string[], values: unknown[], suffix = ''): void {
    let group: Pending | undefined;
    for (const g of this.pending)
      if (g.table === table && g.suffix === suffix && sameColumns(g.columns, columns)) group = g;
    if (!group) {
      group = { key: `${table}|${columns.join(',')}|${suffix}`, table, columns, suffix, rows: 0, values: [] };
      this.pending.push(group);
    }
    group.rows++;
    for (const value of values) group.values.push(value);
  }

  /**
   * Has `index` check, once this transaction's rows are written, that no other decision has the id
   * `id` (its audit entry is `seq`); the transaction fails with `GL_STORE_CONFLICT` otherwise, as
   * on a unique index.
   */
  claimDecisionId(id: string, seq: number, index: DecisionIdIndex): void {
    if (this.claimed) this.claimed.claims.push({ id, seq });
    else this.claimed = { index, claims: [{ id, seq }] };
  }

  /** Runs after the transaction commits (durably); never when it rolls back. */
  onCommit(fn: () => void): void {
    this.afterCommit.push(fn);
  }

  /** Runs the after-commit hooks; one that throws cannot undo (or make the caller retry) the commit. */
  committed(): void {
    for (const fn of this.afterCommit) {
      try {
        fn();
      } catch {
        // The transaction is durable; a hook's failure is the hook's own.
      }
    }
  }

  /** Writes every queued row (on a pipelining backend: sends them; a failure fails the commit). */
  async flush(): Promise<void> {
    await this.writePending();
    const claimed = this.claimed;
    if (claimed) {
      this.claimed = null;
      await claimed.index.check(this.tx, claimed.claims);
    }
  }

  private async writePending(): Promise<void> {
    const groups = this.pending;
    this.pending = [];
    const inserts = groups.flatMap((group) => this.chunks(group));
    if (this.dialect === 'sqlite') {
      for (const insert of inserts) await this.tx.write(insert.sql, insert.params);
      return;
    }
    for (const statement of combined(inserts)) await this.tx.write(statement.sql, statement.params);
  }

  /**
   * The group's rows as multi-row INSERTs. SQLite: a few fixed chunk sizes, so its cached prepared
   * statements are reused from batch to batch. PostgreSQL: as few statements as possible (each is
   * a network round trip).
   */
  private chunks(group: Pending): Insert[] {
    const perRow = group.columns.length;
    const largest = Math.max(1, Math.floor(MAX_PARAMS / perRow));
    const sizes = CHUNK_SIZES.filter((n) => n <= largest);
    const inserts: Insert[] = [];
    for (let i = 0; i < group.rows; ) {
      const left = group.rows - i;
      const chunk = this.dialect === 'sqlite' ? (sizes.find((n) => n <= left) ?? 1) : Math.min(largest, left);
      const params = chunk === group.rows ? group.values : group.values.slice(i * perRow, (i + chunk) * perRow);
      i += chunk;
      inserts.push({ table: group.table, sql: insertSql(group, chunk), params });
    }
    return inserts;
  }

  async all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    if (this.pending.length > 0 || this.claimed) await this.flush();
    return this.tx.all<T>(sql, params);
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    if (this.pending.length > 0 || this.claimed) await this.flush();
    return this.tx.run(sql, params);
  }

  async write(sql: string, params?: readonly unknown[], expectChanges?: number): Promise<void> {
    if (this.pending.length > 0 || this.claimed) await this.flush();
    return this.tx.write(sql, params, expectChanges);
  }
}
