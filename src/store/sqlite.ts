import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GuardlineError } from '../errors/index.ts';
import type { SqlConn, SqlDb, TxConn } from './sql.ts';
import { SqliteWriter } from './sqlite-writer.ts';

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
 * Statements of transaction `tx`, sent to the writer thread in order without waiting for one
 * another; `write` does not wait at all (the thread fails the commit if the write failed).
 */
function writeConnection(writer: SqliteWriter, tx: number): TxConn {
  return {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      return (await writer.request({ op: 'all', tx, sql, params })) as T[];
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return (await writer.request({ op: 'run', tx, sql, params })) as number;
    },
    async write(sql: string, params: readonly unknown[] = [], expect?: number) {
      const request = { op: 'run', tx, sql, params, ...(expect === undefined ? {} : { expect }) } as const;
      writer.request(request).catch(() => {});
    },
  };
}

/**
 * SQLite in WAL mode with `synchronous=FULL`: a commit returns only after the WAL is fsynced, so a
 * resolved write survives power loss. The one writer connection lives in its own thread
 * (`SqliteWriter`), so the event loop keeps serving (and the group committer keeps gathering the
 * next batch) while a transaction's statements and its fsync run; all writes go through the
 * store's group committer. Reads outside a transaction use a reader connection on this thread
 * that sees committed data only.
 */
export async function openSqlite(file: string): Promise<SqlDb> {
  let writer: SqliteWriter;
  let reader: Db;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writer = await SqliteWriter.start(file);
  } catch (e) {
    throw new GuardlineError('GL_STORE_UNREACHABLE', `SQLite ${file}: ${(e as Error).message}`);
  }
  try {
    reader = new Database(file);
    reader.pragma('busy_timeout = 5000');
  } catch (e) {
    await writer.close();
    throw new GuardlineError('GL_STORE_UNREACHABLE', `SQLite ${file}: ${(e as Error).message}`);
  }
  const read = readConnection(reader);
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
      let done!: () => void;
      turn = new Promise((resolve) => {
        done = resolve;
      });
      let sent = false;
      const send = <R>(request: Promise<R>): Promise<R> => {
        sent = true;
        done();
        return request;
      };
      try {
        await previous;
        const tx = ++lastTx;
        const after = options.dependent && tx > 1 ? { after: tx - 1 } : {};
        // Not awaited: the thread refuses the statements behind it if BEGIN failed.
        writer.request({ op: 'begin', tx, ...after }).catch(() => {});
        try {
          const result = await fn(writeConnection(writer, tx));
          await send(writer.request({ op: 'commit', tx }));
          return result;
        } catch (e) {
          if (sent) throw e; // the commit failed: the thread rolled back, and its error is the cause
          // The transaction's first error in the thread (a statement sent ahead) is the cause of
          // this one, which may only be its echo.
          throw (await send(writer.rollback(tx)).catch(() => null)) ?? e;
        }
      } finally {
        if (!sent) done();
      }
    },
    async exec(sql) {
      await writer.request({ op: 'exec', sql });
    },
    async close() {
      reader.close();
      await writer.close();
    },
  };
}
