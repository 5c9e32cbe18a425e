import { GuardlineError, isGuardlineError } from '../errors/index.ts';

/** SQLite's and PostgreSQL's codes for a unique or primary-key violation: a real conflict. */
const CONFLICT_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);
/** The same, for an error that lost its code on the way: the drivers' own wording. */
const CONFLICT_MESSAGE = /UNIQUE constraint failed|duplicate key value violates unique constraint/;

/**
 * A database error as the store reports it: `GL_STORE_CONFLICT` only for a duplicate (the same id
 * written twice); every other failure, other constraints included (NOT NULL, CHECK, foreign key),
 * is `GL_STORE_WRITE_FAILED`.
 */
export function storeError(error: unknown): unknown {
  if (isGuardlineError(error)) return error;
  const message = (error as Error)?.message ?? String(error);
  const code = (error as { code?: unknown })?.code;
  const conflict = typeof code === 'string' ? CONFLICT_CODES.has(code) : CONFLICT_MESSAGE.test(message);
  return new GuardlineError(conflict ? 'GL_STORE_CONFLICT' : 'GL_STORE_WRITE_FAILED', message);
}
