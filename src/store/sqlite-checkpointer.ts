import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the WAL back into the database file from a thread of its own, so the writer thread's
 * commits never wait for it. SQLite's automatic checkpoint runs inside the commit that crosses
 * its threshold (1,000 pages): that commit, and every decision queued behind it, waited for
 * the copy and the database file's fsync, a few to tens of milliseconds at 10,000 decisions/s.
 *
 * A PASSIVE checkpoint takes no lock that a writer needs: the writer keeps appending to the WAL
 * while frames already committed are copied. SQLite starts the WAL over from its beginning when a
 * write begins after a checkpoint copied all of it; under writes that never pause that moment may
 * not come, and the WAL grows until the writer's own automatic checkpoint, kept at a far higher
 * threshold (`WRITER_AUTOCHECKPOINT_BYTES`), finds little left to copy and restarts it. That
 * checkpoint is also the backstop should this thread fall behind or fail.
 */
const SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db = null;
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  parentPort.postMessage({ ok: true });
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

  private constructor(private readonly worker: Worker) {
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
      if (this.dirty && !this.running) void this.checkpoint();
    }, INTERVAL_MS);
    this.timer.unref();
    worker.unref();
  }

  static start(file: string): Promise<SqliteCheckpointer> {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver }, execArgv: [] });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { ok: boolean; message?: string }) => {
        worker.off('error', reject);
        if (m.ok) resolve(new SqliteCheckpointer(worker));
        else reject(new Error(m.message ?? 'the checkpointer thread could not open the database'));
      });
    });
  }

  /** Called after each commit: the next tick of the timer checkpoints. */
  committed(): void {
    this.dirty = true;
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
    await this.running;
    this.closed = true;
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}
