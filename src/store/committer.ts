import type { AuditSigner } from '../audit/keys.ts';
import { GuardlineError } from '../errors/index.ts';
import { BufferedTx } from './buffered-tx.ts';
import { ChainAppender, type ChainHead } from './chain-appender.ts';
import { storeError } from './errors.ts';
import { isStale, type SqlDb } from './sql.ts';

/** One item of work in a group-commit transaction. It may read, write and append audit entries. */
export type Unit<T> = (tx: BufferedTx, chain: ChainAppender) => Promise<T>;

interface Queued {
  unit: Unit<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Transactions prepared and sent at once, at most, on a pipelining backend: one committing and one
 * prepared behind it (which the writer may merge into the same flush). More make more, smaller
 * transactions, each with a signed head of its own: with 8, the server bench spent 5–10% more CPU
 * and its p99 read 8.1–8.8 ms against 6.9–7.3 ms, and the store bench gained nothing.
 */
const MAX_IN_FLIGHT = 2;

type Outcome = { ok: true; results: unknown[] } | { ok: false; error: unknown };

/** A batch whose transaction has begun: `prepared` once its units ran and its commit is sent. */
interface Flight {
  batch: Queued[];
  prepared: Promise<void>;
  outcome: Promise<Outcome>;
}

/**
 * Group commit: every unit submitted in the same tick (and while a commit is in flight) runs in
 * one transaction with one durable flush; each promise resolves only after that commit. If the
 * shared transaction fails, each unit is retried alone so one bad unit cannot sink the others.
 *
 * On a pipelining backend (SQLite's writer thread) the next batch is prepared while the one before
 * it commits: its units run, its chain continues from the head that batch leaves, and its
 * statements queue behind that commit. It commits only if that batch committed and the head is
 * the one it continued from; otherwise it runs again from the real head, before anything newer.
 */
export class GroupCommitter {
  private queue: Queued[] = [];
  private scheduled = false;
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();
  /** Set while a pipelining drain waits for work (see `schedule`). */
  private wake: (() => void) | null = null;
  /** Pipelining only: the chain head the last prepared transaction leaves; null = read it. */
  private head: ChainHead | null = null;

  constructor(
    private readonly db: SqlDb,
    private readonly signer: AuditSigner,
    private readonly maxBatch = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  submit<T>(unit: Unit<T>): Promise<T> {
    if (this.closed) return Promise.reject(new GuardlineError('GL_STORE_CLOSED'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ unit: unit as Unit<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running) {
      // A pipelining drain waits for work to prepare while a batch commits: wake it next turn,
      // so everything submitted in this turn joins the batch.
      const wake = this.wake;
      this.wake = null;
      if (wake) setImmediate(wake);
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.idle = this.drain();
    });
  }

  /**
   * Runs batches until the queue is empty. The oldest flight was sent and may be committing; on a
   * pipelining backend newer ones are prepared on top of it as soon as work arrives (up to
   * `MAX_IN_FLIGHT`), each committing only if the one before it does: the backend may commit
   * several with one flush. Units resolve in batch order; after a failure the failed batch is
   * recovered before anything newer runs.
   */
  private async drain(): Promise<void> {
    this.running = true;
    try {
      const flights: Flight[] = [];
      for (;;) {
        const room = flights.length === 0 || (this.db.pipelined && flights.length < MAX_IN_FLIGHT);
        if (room && this.queue.length > 0) {
          const flight = this.begin(this.queue.splice(0, this.maxBatch), flights.length > 0);
          await flight.prepared;
          flights.push(flight);
          continue;
        }
        const oldest = flights[0];
        if (!oldest) return;
        const outcome = await (room ? this.settledOrWork(oldest) : oldest.outcome);
        if (!outcome) continue;
        flights.shift();
        if (outcome.ok) {
          settle(oldest.batch, outcome.results);
          continue;
        }
        // Every newer flight was prepared on top of it, so it fails too: their units go back to
        // the front, in order, and run after the failed batch is recovered.
        const back: Queued[] = [];
        for (const newer of flights.splice(0)) {
          const own = await newer.outcome;
          if (own.ok) settle(newer.batch, own.results);
          else back.push(...newer.batch);
        }
        this.queue.unshift(...back);
        await this.recover(oldest.batch, outcome.error);
      }
    } finally {
      this.running = false;
    }
  }

  /** `flight`'s outcome, or null as soon as there is work to prepare on top of it. */
  private async settledOrWork(flight: Flight): Promise<Outcome | null> {
    if (this.queue.length > 0) return null;
    const work = new Promise<null>((resolve) => {
      this.wake = () => resolve(null);
    });
    try {
      return await Promise.race([flight.outcome, work]);
    } finally {
      this.wake = null;
    }
  }

  /** After a failed batch: a stale one is tried again whole, then (or else) each unit alone. */
  private async recover(batch: Queued[], error: unknown): Promise<void> {
    this.head = null;
    if (isStale(error)) {
      const again = await this.begin(batch, false).outcome;
      if (again.ok) return settle(batch, again.results);
      this.head = null;
      error = again.error;
    }
    if (batch.length === 1) {
      batch[0]?.reject(storeError(error));
      return;
    }
    for (const q of batch) {
      const alone = await this.begin([q], false).outcome;
      if (alone.ok) q.resolve(alone.results[0]);
      else {
        this.head = null;
        q.reject(storeError(alone.error));
      }
    }
  }

  /** Begins the batch's transaction; `dependent`: it commits only if the one in flight does. */
  private begin(batch: Queued[], dependent: boolean): Flight {
    let markPrepared!: () => void;
    const prepared = new Promise<void>((resolve) => {
      markPrepared = resolve;
    });
    let buffered: BufferedTx | undefined;
    const outcome = this.db
      .transaction(
        async (tx) => {
          buffered = new BufferedTx(tx, this.db.dialect);
          const chain = new ChainAppender(buffered, this.signer);
          await chain.begin(this.head ?? undefined);
          const out: unknown[] = [];
          for (const q of batch) out.push(await q.unit(buffered, chain));
          await chain.finish(this.now());
          await buffered.flush();
          if (this.db.pipelined) this.head = chain.head;
          markPrepared();
          return out;
        },
        { dependent },
      )
      .then(
        (results): Outcome => {
          buffered?.committed();
          return { ok: true, results };
        },
        (error: unknown): Outcome => ({ ok: false, error }),
      );
    void outcome.then(markPrepared);
    return { batch, prepared, outcome };
  }

  /** Waits for queued work, then refuses more. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.scheduled || this.running || this.queue.length > 0) {
      await this.idle;
      await new Promise((r) => setImmediate(r));
    }
  }
}

function settle(batch: Queued[], results: unknown[]): void {
  batch.forEach((q, i) => {
    q.resolve(results[i]);
  });
}
