import type { BufferedTx } from './buffered-tx.ts';
import type { StoreContext } from './context.ts';
import { outboxFromRow } from './rows.ts';
import { forUpdate } from './sql.ts';
import type { OutboxEnqueue, OutboxRow, OutboxStore } from './types.ts';

const COLUMNS = [
  'id',
  'session_id',
  'decision_id',
  'idempotency_key',
  'object',
  'object_id',
  'properties',
  'previous',
  'status',
  'attempts',
  'next_attempt_at',
  'created_at',
  'updated_at',
];

/** Queues a CRM write in the current transaction (ignored if its idempotency key is queued). */
export function enqueueOutbox(tx: BufferedTx, item: OutboxEnqueue): void {
  tx.insert(
    'outbox',
    COLUMNS,
    [
      item.id,
      item.sessionId,
      item.decisionId,
      item.idempotencyKey,
      item.object,
      item.objectId,
      JSON.stringify(item.properties),
      item.previous == null ? null : JSON.stringify(item.previous),
      'pending',
      0,
      item.nextAttemptAt ?? item.createdAt,
      item.createdAt,
      item.createdAt,
    ],
    'ON CONFLICT (idempotency_key) DO NOTHING',
  );
}

/** Sends a parked write again (see `RecordItem.requeue`); a row in any other status is left alone. */
export function requeueParked(tx: BufferedTx, id: string, decisionId: string | null, now: number): Promise<void> {
  return tx.write(
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL, lease_until = NULL,
       decision_id = COALESCE(?, decision_id), updated_at = ? WHERE id = ? AND status = 'parked'`,
    [now, decisionId, now, id],
  );
}

export function sqlOutbox({ db, committer }: StoreContext): OutboxStore {
  const update = (id: string, set: string, params: unknown[]) =>
    committer.submit(async (tx) => {
      const rows = await tx.all(`UPDATE outbox SET ${set}, lease_until = NULL WHERE id = ? RETURNING *`, [
        ...params,
        id,
      ]);
      return rows[0] ? outboxFromRow(rows[0]) : null;
    });
  return {
    enqueue(item) {
      return committer.submit(async (tx) => {
        enqueueOutbox(tx, item);
        const [row] = await tx.all('SELECT * FROM outbox WHERE idempotency_key = ?', [item.idempotencyKey]);
        if (!row) throw new Error(`outbox row ${item.id} vanished after insert`);
        return outboxFromRow(row);
      });
    },
    claimDue(now, limit, leaseMs = 30_000) {
      return committer.submit(async (tx) => {
        const rows = await tx.all(
          `UPDATE outbox SET lease_until = ?, attempts = attempts + 1, updated_at = ?
           WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
             AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, created_at, id LIMIT ?${forUpdate(db.dialect, true)})
           RETURNING *`,
          [now + leaseMs, now, now, now, limit],
        );
        return rows.map(outboxFromRow).sort(byDue);
      });
    },
    recordPrevious(id, previous, now) {
      return committer.submit(async (tx) => {
        await tx.run('UPDATE outbox SET previous = ?, updated_at = ? WHERE id = ? AND previous IS NULL', [
          JSON.stringify(previous),
          now,
          id,
        ]);
        const [row] = await tx.all('SELECT * FROM outbox WHERE id = ?', [id]);
        return row ? outboxFromRow(row) : null;
      });
    },
    markDelivered(id, { hubspotId, previous, now }) {
      return update(
        id,
        "status = 'delivered', hubspot_id = ?, previous = COALESCE(?, previous), last_error = NULL, updated_at = ?",
        [hubspotId, previous == null ? null : JSON.stringify(previous), now],
      );
    },
    scheduleRetry(id, { nextAttemptAt, error, now, refundAttempt }) {
      const attempts = refundAttempt ? ', attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END' : '';
      return update(id, `status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?${attempts}`, [
        nextAttemptAt,
        error,
        now,
      ]);
    },
    park(id, { error, now }) {
      return update(id, "status = 'parked', last_error = ?, updated_at = ?", [error, now]);
    },
    markNotConfigured(id, { now, error }) {
      return update(id, "status = 'not_configured', last_error = ?, updated_at = ?", [error ?? null, now]);
    },
    markRolledBack(id, { now }) {
      return update(id, "status = 'rolled_back', updated_at = ?", [now]);
    },
    async get(id) {
      const [row] = await db.read.all('SELECT * FROM outbox WHERE id = ?', [id]);
      return row ? outboxFromRow(row) : null;
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.sessionId) {
        where.push('session_id = ?');
        params.push(filter.sessionId);
      }
      params.push(filter.limit ?? 1000);
      const rows = await db.read.all(
        `SELECT * FROM outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT ?`,
        params,
      );
      return rows.map(outboxFromRow);
    },
  };
}

function byDue(a: OutboxRow, b: OutboxRow): number {
  return a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || a.id.localeCompare(b.id);
}
