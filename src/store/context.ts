import type { BufferedTx } from './buffered-tx.ts';
import type { GroupCommitter } from './committer.ts';
import type { SqlDb } from './sql.ts';
import type { StoreEvent } from './types.ts';

/** What every part of the SQL store shares. */
export interface StoreContext {
  db: SqlDb;
  committer: GroupCommitter;
  /** Announces an approval change or a budget charge once committed (SQLite: in process; PostgreSQL: NOTIFY). */
  publish(tx: BufferedTx, event: StoreEvent): Promise<void>;
}

export function json(text: unknown): never {
  return (typeof text === 'string' ? JSON.parse(text) : text) as never;
}

export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}
