import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { WRITER_SOURCE } from './sqlite-writer-source.ts';

/**
 * The page size a new database file gets (an existing file keeps its own). SQLite's WAL logs whole
 * pages, and a group commit rewrites one page per session in each index keyed by session or id
 * (`decisions_id`, `session_inputs`' key): with 1 KiB pages instead of SQLite's default 4 KiB a
 * durable decision writes 5.6–5.8 KB instead of 12–13 KB (store bench, 10,000 decisions/s), so the
 * disk's flushes stay fast under that load. Rows longer than about 1 KB spill into overflow
 * pages, which the store only appends.
 */
export const NEW_FILE_PAGE_SIZE = 1024;

/** One step of a request to the writer thread (see `WRITER_SOURCE`). */
export type WriterStep =
  | { op: 'begin'; after?: number }
  | { op: 'commit' | 'rollback' }
  | { op: 'all'; sql: string; params: readonly unknown[] }
  | { op: 'run'; sql: string; params: readonly unknown[]; expect?: number }
  | { op: 'exec'; sql: string };

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  message?: string;
  code?: string;
}

/** An error from the writer thread, with SQLite's message and code (e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class SqliteWriterError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SqliteWriterError';
  }
}

/**
 * The main thread's handle on the SQLite writer thread: requests go out in order and each resolves
 * with the thread's answer, so the event loop is free while SQLite inserts and fsyncs. The thread
 * keeps the process alive only while a request is outstanding.
 */
export class SqliteWriter {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (e) => this.fail(new SqliteWriterError(`SQLite writer thread failed: ${e.message}`)));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.fail(new SqliteWriterError('SQLite writer thread is closed'));
        resolve();
      }),
    );
  }

  /**
   * Starts the thread and opens `file` in it (WAL, synchronous=FULL, a new file with pages of
   * `NEW_FILE_PAGE_SIZE`, its own automatic checkpoint once the WAL holds `autocheckpointBytes`
   * when given); rejects if it cannot.
   */
  static start(file: string, autocheckpointBytes?: number): Promise<SqliteWriter> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { file, driver, autocheckpointBytes, pageSize: NEW_FILE_PAGE_SIZE },
      execArgv: [],
    });
    const writer = new SqliteWriter(worker);
    return new Promise((resolve, reject) => {
      writer.pending.set(0, { resolve: () => resolve(writer), reject });
    });
  }

  /** Runs `steps` in order (of transaction `tx`, if given); resolves to the last one's value. */
  request(tx: number | undefined, steps: WriterStep[]): Promise<unknown> {
    return this.send(tx, steps);
  }

  /** Ends transaction `tx` without committing; resolves to the error that failed it in the thread, if any. */
  async rollback(tx: number): Promise<SqliteWriterError | null> {
    const cause = (await this.request(tx, [{ op: 'rollback' }])) as { message: string; code?: string } | null;
    return cause && new SqliteWriterError(cause.message, cause.code);
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
  private send(tx: number | undefined, steps: WriterStep[], close = false): Promise<unknown> {
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
    else waiter.reject(new SqliteWriterError(reply.message ?? 'SQLite writer request failed', reply.code));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}
