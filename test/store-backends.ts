/**
 * The backends the shared store suites run against: SQLite always (a temp dir), PostgreSQL when
 * `GUARDLINE_TEST_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/test) is reachable,
 * each test in its own fresh schema, dropped afterwards. With GUARDLINE_REQUIRE_POSTGRES=1 (CI)
 * an unreachable PostgreSQL fails the run instead of being skipped.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { StoreConfig } from '../src/store/config.ts';
import { openStore } from '../src/store/open.ts';
import { SESSION_INDEX_SCHEMA, sessionIndexFile } from '../src/store/sqlite-session-index.ts';
import type { Store } from '../src/store/types.ts';

export const PG_URL = process.env.GUARDLINE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REQUIRE_PG = process.env.GUARDLINE_REQUIRE_POSTGRES === '1';

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

const pgProblem = await reachable(PG_URL);
if (pgProblem) {
  if (REQUIRE_PG)
    throw new Error(`GUARDLINE_REQUIRE_POSTGRES=1 but PostgreSQL at ${PG_URL} is unreachable: ${pgProblem}`);
  console.warn(`[store tests] PostgreSQL at ${PG_URL} is unreachable (${pgProblem}): skipping the PostgreSQL runs.`);
}

export const TEST_AUDIT_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

/** One place (a temp dir, or a fresh schema) that several stores may open, like several nodes. */
export interface Place {
  config: StoreConfig;
  open(): Promise<Store>;
  /** Runs raw SQL against the place from outside the store (tamper tests). */
  sql(text: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Holds, from outside the store, the lock a catch-up of the session index needs, until released. */
  holdSessionIndex(): Promise<IndexHold>;
  cleanup(): Promise<void>;
}

export interface IndexHold {
  /** How many connections wait for the hold (null where the backend cannot tell: SQLite). */
  waiters(): Promise<number | null>;
  release(): Promise<void>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  place(): Promise<Place>;
}

const sqlite: Backend = {
  name: 'sqlite',
  async place() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-store-'));
    const config: StoreConfig = {
      kind: 'sqlite',
      file: path.join(dir, 'guardline.db'),
      dataDir: dir,
      auditKey: TEST_AUDIT_KEY,
    };
    const opened: Store[] = [];
    const Database = (await import('better-sqlite3')).default;
    return {
      config,
      async open() {
        const store = await openStore(config);
        opened.push(store);
        return store;
      },
      async sql(text, params = []) {
        const file = config.kind === 'sqlite' ? config.file : '';
        const db = new Database(file);
        try {
          // The session index's own file, as the store attaches it (sqlite-session-index.ts).
          if (existsSync(sessionIndexFile(file)))
            db.prepare(`ATTACH DATABASE ? AS ${SESSION_INDEX_SCHEMA}`).run(sessionIndexFile(file));
          const stmt = db.prepare(text);
          if (stmt.reader) return stmt.all(...params) as Record<string, unknown>[];
          stmt.run(...params);
          return [];
        } finally {
          db.close();
        }
      },
      async holdSessionIndex() {
        // The index file's write lock (sqlite-session-index.ts), as another process's catch-up holds it.
        const db = new Database(sessionIndexFile(config.file));
        db.exec('BEGIN IMMEDIATE');
        return {
          waiters: async () => null,
          async release() {
            db.exec('ROLLBACK');
            db.close();
          },
        };
      },
      async cleanup() {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgres: Backend = {
  name: 'postgres',
  async place() {
    const schema = `gl_test_${randomBytes(6).toString('hex')}`;
    const config: StoreConfig = { kind: 'postgres', url: PG_URL, schema, auditKey: TEST_AUDIT_KEY };
    const opened: Store[] = [];
    const run = async (text: string, params: unknown[] = []) => {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        let n = 0;
        return (
          await client.query(
            text.replace(/\?/g, () => `$${++n}`),
            params,
          )
        ).rows;
      } finally {
        await client.end();
      }
    };
    return {
      config,
      async open() {
        const store = await openStore(config);
        opened.push(store);
        return store;
      },
      sql: run,
      async holdSessionIndex() {
        // The mark's row, as another node's catch-up holds it until it commits.
        const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
        await client.connect();
        await client.query('BEGIN');
        await client.query("SELECT seq FROM index_marks WHERE name = 'audit_session_index' FOR UPDATE");
        const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
        return {
          async waiters() {
            const [row] = await run('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))', [
              pid,
            ]);
            return Number(row?.n);
          },
          async release() {
            await client.query('ROLLBACK');
            await client.end();
          },
        };
      },
      async cleanup() {
        for (const s of opened) await s.close();
        await run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  },
};

export const BACKENDS: Backend[] = pgProblem ? [sqlite] : [sqlite, postgres];
