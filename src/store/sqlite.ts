import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GuardlineError } from '../errors/index.ts';
import type { SqlConn, SqlDb, TxConn } from './sql.ts';
import { type CheckpointResult, SqliteCheckpointer, WRITER_AUTOCHECKPOINT_BYTES } from './sqlite-checkpointer.ts';
import { INDEXED_DECISION_IDS, RECENT_IDS, sqliteDecisionIds } from './sqlite-decision-ids.ts';
import { SESSION_INDEX_SCHEMA, sessionIndexAttachment, sessionIndexFile } from './sqlite-session-index.ts';
import { type ClaimStep, SqliteThread, type ThreadStep } from './sqlite-thread.ts';

type Db = Database.Database;
type Stmt = Database.Statement;

function readConnection(db: Db): SqlConn {
  const cache = new Map<string, Stmt>();
  const prepare = (sql: string): Stmt => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size > 500) cache.clear();
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      const stmt = prepare(sql);
      if (stmt.reader) return stmt.all(...params) as T[];
      stmt.run(...params);
      return [];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return prepare(sql).run(...params).changes;
    },
  };
}

/**
 * Transaction `tx` in the writer thread. Its steps are gathered and sent together when a result
 * is needed (a read, a `run`, the commit): a transaction that only writes is one message and one
 * answer. `write` never waits; the thread fails the commit if the write failed.
 */
class WriterTx implements TxConn {
  private steps: ThreadStep[];
  private sent = false;

  constructor(
    private readonly writer: SqliteThread,
    private readonly tx: number,
    after: number | undefined,
  ) {
    this.steps = [after === undefined ? { op: 'begin' } : { op: 'begin', after }];
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.send({ op: 'all', sql, params })) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.send({ op: 'run', sql, params })) as number;
  }

  /** Claims decision ids (`sqlite-decision-ids.ts`); like `write`, it is sent with the next request. */
  claim(step: ClaimStep): void {
    this.steps.push(step);
  }

  async write(sql: string, params: readonly unknown[] = [], expect?: number): Promise<void> {
    if (expect === undefined) this.steps.push({ op: 'run', sql, params });
    else this.steps.push({ op: 'run', sql, params, expect });
  }

  commit(): Promise<unknown> {
    return this.send({ op: 'commit' });
  }

  /** Resolves to the error that failed the transaction in the thread (the cause), if one did. */
  async rollback(): Promise<Error | null> {
    return this.sent ? this.writer.rollback(this.tx) : null;
  }

  private send(last: ThreadStep): Promise<unknown> {
    const steps = this.steps;
    steps.push(last);
    this.steps = [];
    this.sent = true;
    return this.writer.request(this.tx, steps);
  }
}

/**
 * The maintenance thread's CPU priority (a nice value). Its checkpoints and index catch-ups are
 * background work of a few milliseconds each, many times a second; at normal priority, on a
 * machine with few cores, they took the CPU from the writer and the event loop, and the commits
 * waiting on those took as long.
 */
const MAINTENANCE_NICE = 10;

/** SQLite's `SqlDb`, with a way to checkpoint the WAL now (tests, tools). */
export interface SqliteDb extends SqlDb {
  checkpoint(): Promise<CheckpointResult | null>;
}

function unreachable(file: string, e: unknown): GuardlineError {
  return new GuardlineError('GL_STORE_UNREACHABLE', `SQLite ${file}: ${(e as Error).message}`);
}

/**
 * SQLite in WAL mode with `synchronous=FULL`: a commit returns only after the WAL is fsynced, so a
 * resolved write survives power loss. The one writer connection lives in its own thread
 * (`SqliteThread`), so the event loop keeps serving (and the group committer keeps gathering the
 * next batch) while a transaction's statements and its fsync run; all writes go through the
 * store's group committer. Reads outside a transaction use a reader connection on this thread
 * that sees committed data only. A third connection, in a maintenance thread of its own,
 * checkpoints the WAL (`SqliteCheckpointer`), so no commit waits for a checkpoint, and writes the
 * audit entries' session index, kept in a file of its own (`sqlite-session-index.ts`) so that no
 * commit waits for that either. The reader attaches that file too.
 */
export async function openSqlite(file: string, options: { walRestartBytes?: number } = {}): Promise<SqliteDb> {
  let writer: SqliteThread;
  let maintenance: SqliteThread;
  let reader: Db;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writer = await SqliteThread.start(file, {
      autocheckpointBytes: WRITER_AUTOCHECKPOINT_BYTES,
      recentIds: RECENT_IDS,
    });
  } catch (e) {
    throw unreachable(file, e);
  }
  try {
    maintenance = await SqliteThread.start(file, { attach: sessionIndexAttachment(file), nice: MAINTENANCE_NICE });
  } catch (e) {
    await writer.close();
    throw unreachable(file, e);
  }
  try {
    reader = new Database(file);
    reader.pragma('busy_timeout = 5000');
    reader.prepare(`ATTACH DATABASE ? AS ${SESSION_INDEX_SCHEMA}`).run(sessionIndexFile(file));
  } catch (e) {
    await maintenance.close();
    await writer.close();
    throw unreachable(file, e);
  }
  const checkpointer = new SqliteCheckpointer(
    maintenance,
    reader.pragma('main.page_size', { simple: true }) as number,
    {
      restartLog: async () => {
        await writer.request(undefined, [{ op: 'exec', sql: 'PRAGMA wal_checkpoint(PASSIVE)' }]);
      },
      restartBytes: options.walRestartBytes,
    },
  );
  let lastIndexTx = 0;
  const read = readConnection(reader);
  const indexedDecisionIds = reader.prepare(INDEXED_DECISION_IDS);
  let lastTx = 0;
  // Settles once the transaction begun last has sent its last request (commit or rollback): the
  // next one begins after it, so the thread runs their statements in the order they were begun.
  let turn: Promise<void> = Promise.resolve();
  return {
    dialect: 'sqlite',
    pipelined: true,
    read,
    async transaction(fn, options = {}) {
      const previous = turn;
      let sent!: () => void;
      turn = new Promise((resolve) => {
        sent = resolve;
      });
      try {
        await previous;
        const tx = ++lastTx;
        const conn = new WriterTx(writer, tx, options.dependent && tx > 1 ? tx - 1 : undefined);
        let committing = false;
        try {
          const result = await fn(conn);
          committing = true;
          const committed = conn.commit();
          sent();
          await committed;
          checkpointer.committed();
          return result;
        } catch (e) {
          if (committing) throw e; // the thread rolled back; its error is the cause
          // The transaction's first error in the thread (a write sent ahead) is the cause of this
          // one, which may only be its echo.
          const cause = conn.rollback();
          sent();
          throw (await cause.catch(() => null)) ?? e;
        }
      } finally {
        sent();
      }
    },
    async exec(sql) {
      await writer.request(undefined, [{ op: 'exec', sql }]);
    },
    decisionIds: sqliteDecisionIds(
      (idsJson) => indexedDecisionIds.get(idsJson) as { mark: number | null; taken: string },
      (tx, step) => {
        if (!(tx instanceof WriterTx)) throw new Error('a decision id is claimed outside a writer transaction');
        tx.claim(step);
      },
    ),
    async writeSessionIndex(statements) {
      const steps: ThreadStep[] = [{ op: 'begin', deferred: true }];
      for (const sql of statements) steps.push({ op: 'run', sql, params: [] });
      steps.push({ op: 'commit' });
      await maintenance.request(++lastIndexTx, steps);
    },
    checkpoint: () => checkpointer.checkpoint(),
    async close() {
      reader.close();
      await checkpointer.close();
      await maintenance.close();
      await writer.close();
    },
  };
}
