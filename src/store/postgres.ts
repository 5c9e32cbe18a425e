import pg from 'pg';
import { GuardlineError } from '../errors/index.ts';
import { type SqlDb, sqlError, type TxConn, toPostgresPlaceholders, UNEXPECTED_CHANGES } from './sql.ts';

// BIGINT (int8) as a JS number: every BIGINT here is epoch ms, a seq or a counter, all < 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresOptions {
  url: string;
  /** A schema other than `public` (created if missing); tests use one per run. */
  schema?: string;
  poolSize?: number;
}

function connection(client: pg.Pool | pg.PoolClient): TxConn {
  const run = async (sql: string, params: readonly unknown[] = []) => {
    const result = await client.query(toPostgresPlaceholders(sql), params as unknown[]);
    return result.rowCount ?? 0;
  };
  return {
    async all<T>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(toPostgresPlaceholders(sql), params as unknown[]);
      return result.rows as T[];
    },
    run,
    // Awaited: PostgreSQL answers COMMIT of a failed transaction with a rollback, not an error.
    async write(sql: string, params: readonly unknown[] = [], expectChanges?: number) {
      const changes = await run(sql, params);
      if (expectChanges !== undefined && changes !== expectChanges) {
        throw sqlError(`expected ${expectChanges} changed row(s), not ${changes}: ${sql}`, UNEXPECTED_CHANGES);
      }
    },
  };
}

function searchPathOption(schema: string | undefined): string | undefined {
  return schema ? `-c search_path=${schema}` : undefined;
}

export function assertSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name '${schema}'`);
  return schema;
}

/** SQLSTATE of a serialization failure: a row this transaction's snapshot saw changed since. */
const SERIALIZATION_FAILURE = '40001';
/** Tries of a session index catch-up that meets another node's (each sees the one before it). */
const INDEX_TRIES = 3;

/** Runs `fn` in a transaction begun with `begin` on one pooled client. */
async function inTransaction<T>(pool: pg.Pool, begin: string, fn: (tx: TxConn) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await fn(connection(client));
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** A PostgreSQL pool; each transaction runs on one pooled client. */
export async function openPostgres(options: PostgresOptions): Promise<SqlDb & { clientConfig: pg.ClientConfig }> {
  const clientConfig: pg.ClientConfig = {
    connectionString: options.url,
    options: searchPathOption(options.schema && assertSchemaName(options.schema)),
    connectionTimeoutMillis: 5000,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 4 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  try {
    if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    else await pool.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => {});
    throw new GuardlineError('GL_STORE_UNREACHABLE', `PostgreSQL: ${(e as Error).message}`);
  }
  return {
    dialect: 'postgres',
    pipelined: false,
    clientConfig,
    read: connection(pool),
    transaction: (fn) => inTransaction(pool, 'BEGIN', fn),
    /**
     * The session index's catch-up, on a connection of its own beside the group commit: one
     * snapshot (REPEATABLE READ) for its statements, so the mark it sets is the newest entry it
     * indexed. Entries become visible in the order of their seqs (each group commit holds the
     * chain head's row lock until it has committed), so every entry up to that mark is in the
     * snapshot, and one committed later is above it. Inside the group commit it had held up every
     * decision behind it: 20–35 ms every 250 ms at 10,000 decisions/s. Two nodes catching up at
     * once: the second meets the first's rows or mark, fails to serialize, and runs again on a
     * snapshot that has them.
     */
    async writeSessionIndex(statements) {
      for (let attempt = 1; ; attempt++) {
        try {
          await inTransaction(pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ', async (tx) => {
            for (const sql of statements) await tx.write(sql);
          });
          return;
        } catch (e) {
          if ((e as { code?: unknown }).code !== SERIALIZATION_FAILURE || attempt >= INDEX_TRIES) throw e;
        }
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await pool.end();
    },
  };
}
