import path from 'node:path';
import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';

export type StoreConfig =
  | {
      kind: 'sqlite';
      /** The database file, `$GUARDLINE_DATA_DIR/guardline.db` by default. */
      file: string;
      /** Where the generated audit key lives when GUARDLINE_AUDIT_KEY is not set. */
      dataDir: string;
      auditKey?: string;
    }
  | {
      kind: 'postgres';
      url: string;
      /** Use this schema instead of `public` (created if missing). */
      schema?: string;
      auditKey?: string;
    };

export const DB_FILE = 'guardline.db';

const Env = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  GUARDLINE_DATA_DIR: z.string().min(1).optional(),
  GUARDLINE_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  GUARDLINE_AUDIT_KEY: z.string().optional(),
});

/** PostgreSQL when `DATABASE_URL` is set, else SQLite under `GUARDLINE_DATA_DIR` (default `./data`). */
export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GuardlineError('GL_CONFIG_INVALID', `${issue?.path.join('.')}: ${issue?.message}`);
  }
  const e = parsed.data;
  const auditKey = e.GUARDLINE_AUDIT_KEY?.trim() ? e.GUARDLINE_AUDIT_KEY : undefined;
  if (e.DATABASE_URL) {
    return {
      kind: 'postgres',
      url: e.DATABASE_URL,
      ...(e.GUARDLINE_DB_SCHEMA ? { schema: e.GUARDLINE_DB_SCHEMA } : {}),
      ...(auditKey ? { auditKey } : {}),
    };
  }
  const dataDir = path.resolve(e.GUARDLINE_DATA_DIR ?? './data');
  return { kind: 'sqlite', file: path.join(dataDir, DB_FILE), dataDir, ...(auditKey ? { auditKey } : {}) };
}

/** A SQLite file given on the command line (`--db PATH`): its key sits beside it. */
export function sqliteConfig(file: string, auditKey?: string): StoreConfig {
  const resolved = path.resolve(file);
  return { kind: 'sqlite', file: resolved, dataDir: path.dirname(resolved), ...(auditKey ? { auditKey } : {}) };
}
