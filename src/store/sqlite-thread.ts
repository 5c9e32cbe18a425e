import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { THREAD_SOURCE } from './sqlite-thread-source.ts';

/**
 * The page size a new database file gets (an existing file keeps its own). SQLite's WAL logs whole
 * pages, and a group commit rewrites one page per session in each index keyed by session or id
 * (`decisions_id`, `session_inputs`' key): with 1 KiB pages instead of SQLite's default 4 KiB a
 * durable decision writes 5.6–5.8 KB instead of 12–13 KB (store bench, 10,000 decisions/s), so the
 * disk's flushes stay fast under that load. Rows longer than about 1 KB spill into overflow
 * pages, which the store only appends.
 */
export const NEW_FILE_PAGE_SIZE = 1024;

/** One step of a request to a SQLite thread (see `THREAD_SOURCE`). */
export type ThreadStep =
  | { op: 'begin'; after?: number; deferred?: boolean }
  | { op: 'commit' | 'rollback' }
  | { op: 'all'; sql: string; params: readonly unknown[] }
  | RunStep
  | { op: 'exec'; sql: string }
  | { op: 'datasync' }
  | ClaimStep;

/**
 * A write; with `expect`, it fails its transaction unless it changes that many rows (with the
 * error `mismatch`, if given, else UNEXPECTED_CHANGES).
 */
export interface RunStep {
  op: 'run';
  sql: string;
  params: readonly unknown[];
  expect?: number;
  mismatch?: { code: string; message: string };
}

/** A write that fails its transaction with `mismatch` unless it changes `expect` rows. */
export type CheckedRun = RunStep & Required<Pick<RunStep, 'expect' | 'mismatch'>>;

/**
 * Decision ids a transaction records (its rows written), each with its audit entry's seq: the
 * writer refuses them if it committed one since the decision-id index's `mark` (or two are the
 * same), from memory while that holds, else by running `fallback` (see `THREAD_SOURCE`).
 */
export interface ClaimStep {
  op: 'claim';
  mark: number;
  ids: readonly string[];
  seqs: readonly number[];
  fallback: CheckedRun;
}

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  message?: string;
  code?: string;
}

/** An error from a SQLite thread, with SQLite's message and code (e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class SqliteThreadError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteThreadError';
  }
}

/** A database file a thread's connection attaches (`ATTACH DATABASE file AS schema`), then sets up. */
export interface AttachedFile {
  file: string;
  schema: string;
  /** Statements run once attached (pragmas, `CREATE TABLE IF NOT EXISTS schema.…`). */
  setup: readonly string[];
}

export interface SqliteThreadOptions {
  /** The connection's own automatic checkpoint, once the WAL holds this many bytes. */
  autocheckpointBytes?: number;
  attach?: AttachedFile;
  /**
   * A lower CPU priority for the thread (a nice value, 1–19), for background work: while the
   * cores are busy, the scheduler gives the other threads of the process the CPU first. Best
   * effort: ignored where threads cannot be told apart (not Linux, or no /proc/thread-self) or
   * the priority cannot be set; the thread then runs at normal priority.
   */
  nice?: number;
  /**
   * The writer's: SQL listing the decisions recorded after a mark (`?`) as `id` and `seq`, for
   * `claim` steps (`sqlite-decision-ids.ts`).
   */
  recentIds?: string;
  /** How many claimed ids the writer remembers at most (default 200,000); tests set fewer. */
  recentIdsLimit?: number;
}

/**
 * The main thread's handle on a SQLite connection in a thread of its own (the store's writer, and
 * its maintenance thread): requests go out in order and each resolves with the thread's answer, so
 * the event loop is free while SQLite inserts and fsyncs. The thread keeps the process alive only
 * while a request is outstanding.
 */
export class SqliteThread {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (e) => this.fail(new SqliteThreadError(`SQLite thread failed: ${e.message}`)));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.fail(new SqliteThreadError('SQLite thread is closed'));
        resolve();
      }),
    );
  }

  /**
   * Starts the thread and opens `file` in it (WAL, synchronous=FULL, a new file with pages of
   * `NEW_FILE_PAGE_SIZE`, and `options`); rejects if it cannot.
   */
  static start(file: string, options: SqliteThreadOptions = {}): Promise<SqliteThread> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver,
        autocheckpointBytes: options.autocheckpointBytes,
        attach: options.attach,
        nice: process.platform === 'linux' ? options.nice : undefined,
        recentIds: options.recentIds,
        recentIdsLimit: options.recentIdsLimit,
        pageSize: NEW_FILE_PAGE_SIZE,
      },
      execArgv: [],
    });
    const thread = new SqliteThread(worker);
    return new Promise((resolve, reject) => {
      thread.pending.set(0, { resolve: () => resolve(thread), reject });
    });
  }

  /** Runs `steps` in order (of transaction `tx`, if given); resolves to the last one's value. */
  request(tx: number | undefined, steps: ThreadStep[]): Promise<unknown> {
    return this.send(tx, steps);
  }

  /** Ends transaction `tx` without committing; resolves to the error that failed it in the thread, if any. */
  async rollback(tx: number): Promise<SqliteThreadError | null> {
    const cause = (await this.request(tx, [{ op: 'rollback' }])) as { message: string; code?: string } | null;
    return cause && new SqliteThreadError(cause.message, cause.code);
  }

  /** Closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (this.failure) return;
    // Kept referenced until the thread has exited: `close()` must not leave the process idle.
    this.closing = true;
    await this.send(undefined, [], true);
    await this.exited;
  }

  /** Posts one request, written out field by field (see `src/model/extended.ts` on spreads). */
  private send(tx: number | undefined, steps: ThreadStep[], close = false): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, tx, steps, close });
    });
  }

  private settle(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new SqliteThreadError(reply.message ?? 'SQLite thread request failed', reply.code));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
