import type { Logger } from 'pino';
import type { OutboxRow, Store } from '../store/types.ts';
import { HubspotCallError, type HubspotFailure } from './hubspot-failure.ts';
import type { HubspotGateway } from './hubspot-gateway.ts';
import { type AssociationTarget, isEngagement } from './objects.ts';
import { type PortalPacer, PortalPaused } from './portal-pacer.ts';
import { rollbackTarget, sameValues, toHubspotValues } from './write-values.ts';

export interface WorkerOptions {
  /** Rows claimed and delivered concurrently per round. */
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  /** Attempts (5xx, timeouts, resets) before a write is parked; 429s never park a write, nor count. */
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Least wait before searching for a create whose outcome is unknown (HubSpot's search index lags). */
  searchSettleMs: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  concurrency: 4,
  pollMs: 500,
  leaseMs: 60_000,
  maxAttempts: 8,
  baseBackoffMs: 1_000,
  maxBackoffMs: 5 * 60_000,
  searchSettleMs: 10_000,
};

export interface WorkerDeps {
  store: Pick<Store, 'outbox' | 'sessions'>;
  /** Null when no HubSpot token is configured: writes are marked `not_configured`. */
  gateway: HubspotGateway | null;
  pacer: PortalPacer;
  searchPacer: PortalPacer;
  writeIdProperty: string;
  logger: Logger;
  options?: Partial<WorkerOptions>;
  now?: () => number;
  random?: () => number;
}

/** Worker requests never wait out a 429 pause holding a claimed write (see `PortalPaused`). */
const PACE = { failIfPaused: true } as const;

type Outcome = { status: 'delivered' | 'retry' | 'parked' | 'not_configured' };

/**
 * Delivers the CRM outbox to HubSpot: claims due writes, paces them per portal, executes each
 * exactly once (updates are fixed-value PATCHes whose previous values are stored first; creates
 * carry their write id in a custom property and are searched for before any retry that may
 * follow an applied create), retries 429/5xx/timeouts with backoff and parks what needs a human.
 */
export class OutboxWorker {
  private readonly o: WorkerOptions;
  private readonly now: () => number;
  private readonly random: () => number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly deps: WorkerDeps) {
    this.o = { ...DEFAULT_WORKER_OPTIONS, ...deps.options };
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let n = 0;
        try {
          n = await this.runOnce();
        } catch (e) {
          this.deps.logger.error({ err: e }, 'crm outbox round failed; retrying after the poll interval');
        }
        if (n === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.o.pollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        }
      }
    })();
  }

  /** Asks the loop to look at the outbox now (e.g. right after a write was queued). */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One round: claims up to `concurrency` due writes and settles each. Returns how many. */
  async runOnce(): Promise<number> {
    // While a 429 pauses the portal, claim nothing: a claimed write would wait past its lease.
    if (this.deps.pacer.resumesAt() > this.now()) return 0;
    const rows = await this.deps.store.outbox.claimDue(this.now(), this.o.concurrency, this.o.leaseMs);
    await Promise.all(rows.map((row) => this.settle(row)));
    return rows.length;
  }

  private async settle(row: OutboxRow): Promise<Outcome> {
    const log = this.deps.logger.child({ writeId: row.id, object: row.object, attempt: row.attempts });
    const { outbox } = this.deps.store;
    if (!this.deps.gateway) {
      await outbox.markNotConfigured(row.id, { now: this.now(), error: 'HUBSPOT_ACCESS_TOKEN is not set' });
      log.info('crm write kept in the outbox: HubSpot is not configured');
      return { status: 'not_configured' };
    }
    try {
      const hubspotId = await this.deliver(row, this.deps.gateway);
      await outbox.markDelivered(row.id, { hubspotId, now: this.now() });
      const undone = rollbackTarget(row.idempotencyKey);
      if (undone) await outbox.markRolledBack(undone, { now: this.now() });
      log.info({ hubspotId }, 'crm write delivered');
      return { status: 'delivered' };
    } catch (e) {
      return this.fail(row, e, log);
    }
  }

  private async deliver(row: OutboxRow, gateway: HubspotGateway): Promise<string> {
    if (row.objectId !== null) {
      await this.rememberPrevious(row, gateway, row.objectId);
      await this.deps.pacer.acquire(PACE);
      const res = await gateway.update(row.object, row.objectId, toHubspotValues(row.properties));
      this.deps.pacer.observe(res.rateLimit);
      return row.objectId;
    }
    if (row.attempts > 1) {
      // An earlier attempt may have created it (timeout, reset, crash): look for its write id.
      await this.deps.searchPacer.acquire(PACE);
      const found = await gateway.findBy(row.object, this.deps.writeIdProperty, row.id);
      if (found.value[0]) return found.value[0].id;
    }
    const properties = { ...toHubspotValues(row.properties), [this.deps.writeIdProperty]: row.id };
    await this.deps.pacer.acquire(PACE);
    const res = await gateway.create(row.object, properties, await this.associationsFor(row));
    this.deps.pacer.observe(res.rateLimit);
    return res.value.id;
  }

  /** Reads and durably stores the values an update replaces, once, before the PATCH. */
  private async rememberPrevious(row: OutboxRow, gateway: HubspotGateway, id: string): Promise<void> {
    let previous = row.previous;
    if (previous === null) {
      await this.deps.pacer.acquire(PACE);
      const res = await gateway.read(row.object, id, Object.keys(row.properties));
      this.deps.pacer.observe(res.rateLimit);
      const read: Record<string, string | null> = {};
      for (const name of Object.keys(row.properties)) read[name] = res.value.properties[name] ?? null;
      previous = (await this.deps.store.outbox.recordPrevious(row.id, read, this.now()))?.previous ?? read;
    }
    const undone = rollbackTarget(row.idempotencyKey);
    if (undone) {
      // Restore only what Guardline wrote: if someone changed it since, a human decides.
      const original = await this.deps.store.outbox.get(undone);
      const changed = original ? sameValues(previous, original.properties) : [];
      if (changed.length > 0) {
        throw new RollbackConflict(`changed in HubSpot since Guardline wrote it: ${changed.join(', ')}; not restored`);
      }
    }
  }

  private async associationsFor(row: OutboxRow): Promise<AssociationTarget[]> {
    if (!isEngagement(row.object)) return [];
    const session = await this.deps.store.sessions.get(row.sessionId);
    const targets: AssociationTarget[] = [];
    if (session?.meta.contactId) targets.push({ object: 'contact', id: session.meta.contactId });
    if (session?.meta.dealId) targets.push({ object: 'deal', id: session.meta.dealId });
    return targets;
  }

  private async fail(row: OutboxRow, e: unknown, log: Logger): Promise<Outcome> {
    const { outbox } = this.deps.store;
    const now = this.now();
    const failure: HubspotFailure | null = e instanceof HubspotCallError ? e.failure : null;
    if (e instanceof HubspotCallError) this.deps.pacer.observe(e.rateLimit);
    if (e instanceof PortalPaused) {
      // Another write's 429 paused the portal before this one was sent: nothing reached HubSpot.
      await outbox.scheduleRetry(row.id, { nextAttemptAt: e.until, error: e.message, now, refundAttempt: true });
      log.info({ until: e.until }, 'crm write waits for the portal pause to end');
      return { status: 'retry' };
    }
    if (failure?.kind === 'rate_limited') {
      this.deps.pacer.pauseUntil(now + failure.retryAfterMs);
      const error = `429 ${failure.policy ?? 'RATE_LIMIT'}: ${failure.message}`;
      // HubSpot did nothing with it: the attempt does not count toward parking the write.
      await outbox.scheduleRetry(row.id, {
        nextAttemptAt: now + failure.retryAfterMs,
        error,
        now,
        refundAttempt: true,
      });
      log.warn({ policy: failure.policy, retryAfterMs: failure.retryAfterMs }, 'crm write rate limited; retrying');
      return { status: 'retry' };
    }
    if (failure && (failure.kind === 'transient' || failure.kind === 'unknown_outcome')) {
      const error = failure.kind === 'transient' ? `HubSpot ${failure.status}: ${failure.message}` : failure.message;
      if (row.attempts >= this.o.maxAttempts) {
        await outbox.park(row.id, { error: `gave up after ${row.attempts} attempts; last: ${error}`, now });
        log.error({ error }, 'crm write parked after its last attempt');
        return { status: 'parked' };
      }
      const exp = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.max(0, row.attempts - 1));
      let wait = Math.round(exp * (0.5 + this.random() / 2));
      if (failure.kind === 'unknown_outcome' && row.objectId === null) wait = Math.max(wait, this.o.searchSettleMs);
      await outbox.scheduleRetry(row.id, { nextAttemptAt: now + wait, error, now });
      log.warn({ error, retryInMs: wait }, 'crm write failed; retrying with backoff');
      return { status: 'retry' };
    }
    const error =
      failure?.kind === 'permanent'
        ? `HubSpot ${failure.status}${failure.category ? ` ${failure.category}` : ''}: ${failure.message}${failure.correlationId ? ` (correlationId ${failure.correlationId})` : ''}`
        : `${e instanceof Error ? e.message : String(e)}`;
    await outbox.park(row.id, { error, now });
    log.error({ error }, 'crm write parked for a human');
    return { status: 'parked' };
  }
}

class RollbackConflict extends Error {}
