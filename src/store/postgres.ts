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
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(connection(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
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
