import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

import { AUDIT_KEY_FILE, publicKeyFromText } from '../../audit/keys.ts';
import { GuardlineError } from '../../errors/index.ts';
import { type StoreConfig, sqliteConfig, storeConfigFromEnv } from '../../store/config.ts';
import type { CommandIO } from '../command.ts';

/** Options every `guardline audit` command shares: where the store is, and the verifying key. */
export const STORE_OPTIONS = {
  db: { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'public-key': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export class UsageError extends Error {}

export function parse<T extends ParseArgsOptionsConfig>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

type StoreFlags = { db?: string; 'database-url'?: string; schema?: string };

/** `--db PATH` (SQLite) or `--database-url URL` (PostgreSQL); otherwise the runtime's env. */
export function storeConfigFrom(flags: StoreFlags, io: CommandIO): StoreConfig {
  if (flags.db && flags['database-url']) throw new UsageError('give --db or --database-url, not both');
  if (flags.db) return sqliteConfig(flags.db, io.env.GUARDLINE_AUDIT_KEY);
  const env = { ...io.env };
  if (flags['database-url']) env.DATABASE_URL = flags['database-url'];
  if (flags.schema) env.GUARDLINE_DB_SCHEMA = flags.schema;
  return storeConfigFromEnv(env);
}

/**
 * The key that verifies signatures: `--public-key FILE`, else GUARDLINE_AUDIT_KEY, else the
 * embedded default's key file beside the SQLite database.
 */
export function verifyingKey(flags: { 'public-key'?: string }, io: CommandIO, config: StoreConfig | null) {
  if (flags['public-key']) return publicKeyFromText(readText(flags['public-key']));
  if (io.env.GUARDLINE_AUDIT_KEY?.trim()) return publicKeyFromText(io.env.GUARDLINE_AUDIT_KEY);
  if (config?.kind === 'sqlite') {
    const file = path.join(config.dataDir, AUDIT_KEY_FILE);
    if (existsSync(file)) return publicKeyFromText(readFileSync(file, 'utf8'));
  }
  throw new GuardlineError('GL_AUDIT_KEY_MISSING', 'Give the public key with --public-key FILE.');
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new GuardlineError('GL_AUDIT_FILE_INVALID', `${file}: ${(e as Error).message}`);
  }
}
