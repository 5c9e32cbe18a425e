import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GuardlineError } from '../errors/index.ts';
import type { SqlConn, SqlDb } from './sql.ts';

type Db = Database.Database;
type Stmt = Database.Statement;

function connection(db: Db): SqlConn {
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
 * SQLite in WAL mode with `synchronous=FULL`: a commit returns only after the WAL is fsynced, so a
 * resolved write survives power loss. One writer connection (all writes go through the store's
 * group committer) and one reader connection that sees committed data only.
 */
export function openSqlite(file: string): SqlDb {
  let writer: Db;
  let reader: Db;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('synchronous = FULL');
    writer.pragma('busy_timeout = 5000');
    reader = new Database(file);
    reader.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new GuardlineError('GL_STORE_UNREACHABLE', `SQLite ${file}: ${(e as Error).message}`);
  }
  const write = connection(writer);
  const read = connection(reader);
  let busy = false;
  return {
    dialect: 'sqlite',
    read,
    async transaction(fn) {
      if (busy) throw new Error('sqlite: nested or concurrent write transaction');
      busy = true;
      writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(write);
        writer.exec('COMMIT');
        return result;
      } catch (e) {
        if (writer.inTransaction) writer.exec('ROLLBACK');
        throw e;
      } finally {
        busy = false;
      }
    },
    async exec(sql) {
      writer.exec(sql);
    },
    async close() {
      reader.close();
      writer.close();
    },
  };
}
