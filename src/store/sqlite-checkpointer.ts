import type { SqliteThread } from './sqlite-thread.ts';

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

/** PASSIVE: copies what no reader still needs, taking no lock a writer needs. */
const CHECKPOINT = 'PRAGMA main.wal_checkpoint(PASSIVE)';

/**
 * Copies the WAL back into the database file from a thread of its own (the store's maintenance
 * thread), so the writer thread's commits never wait for it. SQLite's automatic checkpoint runs inside the commit that crosses
 * its threshold (1,000 pages): that commit, and every decision queued behind it, waited for
 * the copy and the database file's fsync, a few to tens of milliseconds at 10,000 decisions/s.
 *
 * A PASSIVE checkpoint takes no lock that a writer needs: the writer keeps appending to the WAL
 * while frames already committed are copied. SQLite starts the WAL over from its beginning only
 * when a write begins after a checkpoint copied all of it, which under writes that never pause
 * does not happen on its own. So once the WAL holds `restartBytes`, the checkpointer runs again
 * at once until little is left to copy, then hands the rest to the writer thread (`restartLog`):
 * a checkpoint run there, between two transactions, copies everything, and the next transaction
 * starts the WAL over. That holds up commits for one short copy and one fsync of the database
 * file. Left to the writer's own automatic checkpoint (kept at a far higher threshold,
 * `WRITER_AUTOCHECKPOINT_BYTES`, as the backstop should this thread fall behind or fail), the
 * restart came inside a commit, with up to 100 ms of frames to copy: commits of 13–22 ms at
 * 10,000 decisions/s.
 *
 * A PASSIVE checkpoint syncs the database file only when it copied the whole WAL, which under
 * steady writes it seldom does: the pages it copied stayed in the page cache until the kernel's
 * writeback, or the writer's restart checkpoint, flushed them, up to half a second's worth at
 * once. That flush held up the commits behind the restart for 4–11 ms at 10,000 decisions/s, and
 * the kernel's writeback slowed the WAL's own flushes. So each checkpoint here is followed by an
 * fdatasync of the database file from this thread: the disk takes 100 ms of pages at a time,
 * and the restart's flush finds little left (1.5–4.4 ms).
 */
export class SqliteCheckpointer {
  private dirty = false;
  private running: Promise<CheckpointResult | null> | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  /** The last failure, kept for diagnosis; the writer's backstop checkpoint covers for it. */
  lastError: string | null = null;

  private ticking: Promise<void> | null = null;

  /** Checkpoints `thread`'s main database (of pages of `pageSize` bytes) while there are new commits. */
  constructor(
    private readonly thread: SqliteThread,
    private readonly pageSize: number,
    private readonly options: CheckpointerOptions,
  ) {
    this.timer = setInterval(() => {
      if (this.dirty && !this.ticking) {
        this.ticking = this.tick().finally(() => {
          this.ticking = null;
        });
      }
    }, INTERVAL_MS);
    this.timer.unref();
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
    this.running = this.thread
      .request(undefined, [{ op: 'all', sql: CHECKPOINT, params: [] }])
      .then(async (rows) => {
        // What it copied is made durable now, while little is outstanding (see the class comment).
        await this.thread.request(undefined, [{ op: 'datasync' }]);
        return rows;
      })
      .then(
        (rows) => {
          const row = (rows as Partial<CheckpointResult>[])[0];
          this.lastError = null;
          return { log: row?.log ?? 0, checkpointed: row?.checkpointed ?? 0 };
        },
        (e: Error) => {
          this.lastError = e.message;
          return null;
        },
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops checkpointing, once the checkpoint running (if any) is done; the thread stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.timer);
    await this.ticking;
    await this.running;
    this.closed = true;
  }
}
