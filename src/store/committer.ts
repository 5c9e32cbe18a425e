import type { AuditSigner } from '../audit/keys.ts';
import { GuardlineError, isGuardlineError } from '../errors/index.ts';
import { BufferedTx } from './buffered-tx.ts';
import { ChainAppender } from './chain-appender.ts';
import type { SqlDb } from './sql.ts';

/** One item of work in a group-commit transaction. It may read, write and append audit entries. */
export type Unit<T> = (tx: BufferedTx, chain: ChainAppender) => Promise<T>;

interface Queued {
  unit: Unit<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every unit submitted in the same tick (and while a commit is in flight) runs in
 * one transaction with one durable flush; each promise resolves only after that commit. If the
 * shared transaction fails, each unit is retried alone so one bad unit cannot sink the others.
 */
export class GroupCommitter {
  private queue: Queued[] = [];
  private scheduled = false;
  private running = false;
  private closed = false;
  private idle: Promise<void> = Promise.resolve();

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
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.idle = this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.commit(batch.map((q) => q.unit));
          batch.forEach((q, i) => {
            q.resolve(results[i]);
          });
        } catch (error) {
          if (batch.length === 1) batch[0]?.reject(wrap(error));
          else await this.oneByOne(batch);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async oneByOne(batch: Queued[]): Promise<void> {
    for (const q of batch) {
      try {
        const [result] = await this.commit([q.unit]);
        q.resolve(result);
      } catch (error) {
        q.reject(wrap(error));
      }
    }
  }

  private async commit(units: Unit<unknown>[]): Promise<unknown[]> {
    let buffered: BufferedTx | undefined;
    const results = await this.db.transaction(async (tx) => {
      buffered = new BufferedTx(tx, this.db.dialect);
      const chain = new ChainAppender(buffered, this.signer);
      await chain.begin();
      const out: unknown[] = [];
      for (const unit of units) out.push(await unit(buffered, chain));
      await chain.finish(this.now());
      await buffered.flush();
      return out;
    });
    buffered?.committed();
    return results;
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

function wrap(error: unknown): unknown {
  if (isGuardlineError(error)) return error;
  const message = (error as Error)?.message ?? String(error);
  if (/unique|duplicate key|constraint/i.test(message)) {
    return new GuardlineError('GL_STORE_CONFLICT', message);
  }
  return new GuardlineError('GL_STORE_WRITE_FAILED', message);
}
