import type { CrmObject } from '../../model/index.ts';
import type { Json, Millis } from './common.ts';

// --- CRM outbox ------------------------------------------------------------------------------
export type OutboxStatus = 'pending' | 'delivered' | 'parked' | 'rolled_back' | 'not_configured';

export interface OutboxRow {
  id: string;
  sessionId: string;
  decisionId: string;
  /** Unique: enqueueing the same key again returns the existing row. */
  idempotencyKey: string;
  object: CrmObject;
  /** The record to update; null for a create. */
  objectId: string | null;
  properties: Record<string, Json>;
  /** Values before the write, for rollback (null until known). */
  previous: Record<string, Json> | null;
  status: OutboxStatus;
  /** Delivery attempts started (claimDue increments it). */
  attempts: number;
  nextAttemptAt: Millis;
  lastError: string | null;
  hubspotId: string | null;
  /** A worker holds the row until this time (claimDue); null when nobody holds it. */
  leaseUntil: Millis | null;
  createdAt: Millis;
  updatedAt: Millis;
}

export interface OutboxEnqueue {
  id: string;
  sessionId: string;
  decisionId: string;
  idempotencyKey: string;
  object: CrmObject;
  objectId: string | null;
  properties: Record<string, Json>;
  previous?: Record<string, Json> | null;
  /** Defaults to `createdAt`. */
  nextAttemptAt?: Millis;
  createdAt: Millis;
}

export interface OutboxStore {
  /** Idempotent on `idempotencyKey`: returns the existing row when the key was already queued. */
  enqueue(item: OutboxEnqueue): Promise<OutboxRow>;
  /**
   * Claims up to `limit` pending rows due at `now` that no live lease holds, leasing them for
   * `leaseMs` (default 30 s) and incrementing `attempts`. Safe with many workers on many nodes:
   * a row is claimed by one worker at a time (FOR UPDATE SKIP LOCKED on PostgreSQL, the single
   * writer on SQLite). A worker that dies loses its lease and the row becomes claimable again.
   */
  claimDue(now: Millis, limit: number, leaseMs?: number): Promise<OutboxRow[]>;
  /**
   * Records the values an update is about to replace, BEFORE the CRM call (added by the CRM
   * helper): a crash between the PATCH and `markDelivered` must not lose them, and a retry must
   * not re-read them (it would read its own write). Sets `previous` only while it is null (the
   * first read wins) and returns the row as stored; null if the id is unknown.
   */
  recordPrevious(id: string, previous: Record<string, Json>, now: Millis): Promise<OutboxRow | null>;
  /** `previous`, when given, records the values the write replaced (for rollback). */
  markDelivered(
    id: string,
    result: { hubspotId: string | null; previous?: Record<string, Json> | null; now: Millis },
  ): Promise<OutboxRow | null>;
  /**
   * Back to `pending`, due at `nextAttemptAt`. `refundAttempt`: the attempt its claim counted does
   * not count (it never reached HubSpot, or HubSpot refused it unprocessed with a 429), so rate
   * limiting never brings a write closer to being parked.
   */
  scheduleRetry(
    id: string,
    retry: { nextAttemptAt: Millis; error: string; now: Millis; refundAttempt?: boolean },
  ): Promise<OutboxRow | null>;
  /** Gives up for now: kept for an operator, never retried automatically. */
  park(id: string, failure: { error: string; now: Millis }): Promise<OutboxRow | null>;
  /** No CRM is configured: recorded, not delivered. */
  markNotConfigured(id: string, info: { now: Millis; error?: string }): Promise<OutboxRow | null>;
  markRolledBack(id: string, info: { now: Millis }): Promise<OutboxRow | null>;
  get(id: string): Promise<OutboxRow | null>;
  list(filter?: { status?: OutboxStatus; sessionId?: string; limit?: number }): Promise<OutboxRow[]>;
}
