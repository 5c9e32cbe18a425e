import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL back into the database file from a thread of its own, so the writer thread's
 * commits never wait for it. SQLite's automatic checkpoint runs inside the commit that crosses
 * its threshold (1,000 pages): that commit, and every decision queued behind it, waited for
 * the copy and the database file's fsync, a few to tens of milliseconds at 10,000 decisions/s.
 *
 * A PASSIVE checkpoint takes no lock that a writer needs: the writer keeps appending to the WAL
 * while frames already committed are copied. SQLite starts the WAL over from its beginning only
 * when a write begins after a checkpoint copied all of it, which under writes that never pause
 * does not happen on its own. So once the WAL holds `restartBytes`, this thread checkpoints again
 * at once until little is left to copy, then hands the rest to the writer thread (`restartLog`):
 * a checkpoint run there, between two transactions, copies everything, and the next transaction
 * starts the WAL over. That holds up commits for one short copy and one fsync of the database
 * file. Left to the writer's own automatic checkpoint (kept at a far higher threshold,
 * `WRITER_AUTOCHECKPOINT_BYTES`, as the backstop should this thread fall behind or fail), the
 * restart came inside a commit, with up to 100 ms of frames to copy: commits of 13–22 ms at
 * 10,000 decisions/s.
 */
const SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db = null;
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  parentPort.postMessage({ ok: true, pageSize: db.pragma('page_size', { simple: true }) });
} catch (e) {
  parentPort.postMessage({ ok: false, message: String(e && e.message) });
  parentPort.close();
}
if (db) parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const row = db.pragma('wal_checkpoint(PASSIVE)')[0] || {};
    parentPort.postMessage({ ok: true, busy: row.busy, log: row.log, checkpointed: row.checkpointed });
  } catch (e) {
    parentPort.postMessage({ ok: false, message: String(e && e.message) });
  }
});
`;

/** The writer's own automatic checkpoint, kept only as a backstop: 64 MiB of WAL, in pages of the file's size. */
export const WRITER_AUTOCHECKPOINT_BYTES = 64 << 20;

/** How often the checkpointer runs while there are new commits. */
const INTERVAL_MS = 100;

/** WAL size from which the checkpointer works towards starting the WAL over. */
const WAL_RESTART_BYTES = 16 << 20;
/** What may be left to copy when the writer thread is asked to finish the checkpoint. */
const RESTART_RESIDUAL_BYTES = 512 << 10;
/** Checkpoints run back to back while working towards a restart, at most. */
const RESTART_PASSES = 8;

export interface CheckpointerOptions {
  /** Asks the writer thread to checkpoint what is left, between two of its transactions. */
  restartLog(): Promise<void>;
  /** Overrides `WAL_RESTART_BYTES` (tests). */
  restartBytes?: number;
}

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
}

export class SqliteCheckpointer {
  private dirty = false;
  private running: Promise<CheckpointResult | null> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly exited: Promise<void>;
  private closed = false;
  private reply: ((message: { ok: boolean; message?: string } & Partial<CheckpointResult>) => void) | null = null;
  /** The last failure, kept for diagnosis; the writer's backstop checkpoint covers for it. */
  lastError: string | null = null;

  private ticking: Promise<void> | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly pageSize: number,
    private readonly options: CheckpointerOptions,
  ) {
    worker.on('message', (m) => this.reply?.(m));
    worker.on('error', (e) => {
      this.lastError = e.message;
    });
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.closed = true;
        clearInterval(this.timer);
        this.reply?.({ ok: false, message: 'the checkpointer thread exited' });
        resolve();
      }),
    );
    this.timer = setInterval(() => {
      if (this.dirty && !this.ticking) {
        this.ticking = this.tick().finally(() => {
          this.ticking = null;
        });
      }
    }, INTERVAL_MS);
    this.timer.unref();
    worker.unref();
  }

  static start(file: string, options: CheckpointerOptions): Promise<SqliteCheckpointer> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver }, execArgv: [] });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { ok: boolean; message?: string; pageSize?: number }) => {
        worker.off('error', reject);
        if (m.ok) resolve(new SqliteCheckpointer(worker, m.pageSize ?? 4096, options));
        else reject(new Error(m.message ?? 'the checkpointer thread could not open the database'));
      });
    });
  }

  /** Called after each commit: the next tick of the timer checkpoints. */
  committed(): void {
    this.dirty = true;
  }

  /**
   * One timer tick: a checkpoint, and while the WAL is past `restartBytes`, more at once until
   * little is left to copy, which the writer thread then finishes (the WAL starts over).
   */
  private async tick(): Promise<void> {
    const restartBytes = this.options.restartBytes ?? WAL_RESTART_BYTES;
    for (let pass = 0; pass < RESTART_PASSES && !this.closed; pass++) {
      const result = await this.checkpoint();
      if (!result || result.log * this.pageSize < restartBytes) return;
      if ((result.log - result.checkpointed) * this.pageSize > RESTART_RESIDUAL_BYTES) continue;
      try {
        await this.options.restartLog();
      } catch (e) {
        // E.g. the writer was inside a transaction sent in parts; the next tick tries again.
        this.lastError = (e as Error).message;
      }
      return;
    }
  }

  /** Runs one PASSIVE checkpoint now (or waits for the one running); null if it failed. */
  checkpoint(): Promise<CheckpointResult | null> {
    if (this.running) return this.running;
    if (this.closed) return Promise.resolve(null);
    this.dirty = false;
    this.worker.ref();
    this.running = new Promise<CheckpointResult | null>((resolve) => {
      this.reply = (m) => {
        this.reply = null;
        if (m.ok) {
          this.lastError = null;
          resolve({ log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 });
        } else {
          this.lastError = m.message ?? 'checkpoint failed';
          resolve(null);
        }
      };
      this.worker.postMessage('checkpoint');
    }).finally(() => {
      this.running = null;
      if (!this.closed) this.worker.unref();
    });
    return this.running;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.ticking;
    await this.running;
    this.closed = true;
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}
