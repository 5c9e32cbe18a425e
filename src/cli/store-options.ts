import { type OpenOptions, openStore, type StoreConfig, sqliteConfig, storeConfigFromEnv } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { UsageError } from './args.ts';
import type { CommandIO } from './command.ts';

/**
 * Options every store-reading command accepts: where the store is (`--db PATH` for SQLite, or
 * `--database-url URL` [`--schema NAME`] for PostgreSQL), the audit verifying key, and `--json`.
 */
export const STORE_OPTIONS = {
  db: { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'public-key': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const STORE_HELP = "  --db PATH | --database-url URL   the store (default: the runtime's, from the environment)";

type StoreFlags = { db?: string | undefined; 'database-url'?: string | undefined; schema?: string | undefined };

/** `--db PATH` (SQLite) or `--database-url URL` (PostgreSQL); otherwise the runtime's env. */
export function storeConfigFrom(flags: StoreFlags, io: CommandIO): StoreConfig {
  if (flags.db && flags['database-url']) throw new UsageError('give --db or --database-url, not both');
  if (flags.db) return sqliteConfig(flags.db, io.env.GUARDLINE_AUDIT_KEY);
  const env = { ...io.env };
  if (flags['database-url']) env.DATABASE_URL = flags['database-url'];
  if (flags.schema) env.GUARDLINE_DB_SCHEMA = flags.schema;
  return storeConfigFromEnv(env);
}

/** Open an existing store only to read it: no key is loaded, a missing SQLite file is an error. */
export const READ_ONLY: OpenOptions = { readOnly: true };

/**
 * Open read-write (the runtime's store: a running runtime picks up what the command changes
 * within a second), without announcing a generated audit key.
 */
export const READ_WRITE: OpenOptions = { onKeyGenerated: () => {} };

/** Runs `body` with the store open, and closes it however `body` ends. */
export async function withStore<T>(
  config: StoreConfig,
  options: OpenOptions,
  body: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(config, options);
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** Like `withStore`, but opens the store only if `body` asks for it (and only once). */
export async function withStoreOnDemand<T>(
  config: () => StoreConfig,
  options: OpenOptions,
  body: (store: () => Promise<Store>) => Promise<T>,
): Promise<T> {
  let opened: Promise<Store> | undefined;
  try {
    return await body(() => {
      opened ??= openStore(config(), options);
      return opened;
    });
  } finally {
    const store = await opened?.catch(() => undefined);
    await store?.close();
  }
}
