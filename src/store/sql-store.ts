import { EventEmitter } from 'node:events';
import type { AuditSigner } from '../audit/keys.ts';
import { AuditSessionIndexer } from './audit-session-index.ts';
import type { BufferedTx } from './buffered-tx.ts';
import { GroupCommitter } from './committer.ts';
import type { StoreContext } from './context.ts';
import { migrate } from './migrations.ts';
import type { SqlDb } from './sql.ts';
import { sqlApprovals, sqlOverrides } from './sql-approvals.ts';
import { sqlAudit } from './sql-audit.ts';
import { sqlOutbox } from './sql-outbox.ts';
import { sqlBudgets, sqlPolicies } from './sql-policies.ts';
import { sqlPublications, sqlShadow, sqlSuspensions } from './sql-policy-ops.ts';
import { inputUnit, recordUnit } from './sql-record.ts';
import { sqlDecisions, sqlDirectives, sqlInputs, sqlNodes, sqlSessions } from './sql-sessions.ts';
import type { Store, StoreEvent } from './types.ts';

/** Approval and budget events, to this node and (PostgreSQL LISTEN/NOTIFY) every other. */
export interface StoreBus {
  /** Called inside the transaction; the event must reach listeners only once committed. */
  publish(tx: BufferedTx, event: StoreEvent): Promise<void>;
  /** Resolves once events will be delivered. */
  subscribe(listener: (event: StoreEvent) => void): Promise<() => void>;
  close(): Promise<void>;
}

/**
 * A listener that throws must neither turn an already committed write into a failure (the
 * committer would retry it) nor keep the event from the other listeners, nor crash the process.
 */
export function isolated(listener: (event: StoreEvent) => void): (event: StoreEvent) => void {
  return (event) => {
    try {
      listener(event);
    } catch {
      // The listener's failure is its own; the event stays delivered to the others.
    }
  };
}

const localEmitters = new Map<string, { emitter: EventEmitter; stores: number }>();

/**
 * An in-process bus for the embedded default: events are emitted after the commit to every store
 * this process has open on the same database file. (Other processes on the same SQLite file see
 * the change when they read it: `awaitDecision` also polls.)
 */
export function localStoreBus(file: string): StoreBus {
  let shared = localEmitters.get(file);
  if (!shared) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    shared = { emitter, stores: 0 };
    localEmitters.set(file, shared);
  }
  shared.stores++;
  const { emitter } = shared;
  const mine = new Set<(event: StoreEvent) => void>();
  return {
    async publish(tx, event) {
      tx.onCommit(() => emitter.emit('event', event));
    },
    async subscribe(listener) {
      const guarded = isolated(listener);
      emitter.on('event', guarded);
      mine.add(guarded);
      return () => {
        emitter.off('event', guarded);
        mine.delete(guarded);
      };
    },
    async close() {
      for (const listener of mine) emitter.off('event', listener);
      mine.clear();
      const entry = localEmitters.get(file);
      if (entry && --entry.stores === 0) localEmitters.delete(file);
    },
  };
}

export interface SqlStoreOptions {
  db: SqlDb;
  signer: AuditSigner;
  bus: StoreBus;
  /** Largest group commit (units per transaction). */
  maxBatch?: number;
}

/** The one Store implementation over either SQL backend. Migrates on open. */
export async function createSqlStore(options: SqlStoreOptions): Promise<Store> {
  const { db, signer, bus } = options;
  await migrate(db);
  const committer = new GroupCommitter(db, signer, options.maxBatch);
  const ctx: StoreContext = { db, committer, publish: (tx, event) => bus.publish(tx, event) };
  const indexer = new AuditSessionIndexer(db);
  await indexer.start();
  let closed = false;
  return {
    backend: db.dialect,
    sessions: sqlSessions(ctx),
    nodes: sqlNodes(ctx),
    inputs: sqlInputs(ctx),
    decisions: sqlDecisions(ctx),
    directives: sqlDirectives(ctx),
    approvals: sqlApprovals(ctx),
    overrides: sqlOverrides(ctx),
    outbox: sqlOutbox(ctx),
    policies: sqlPolicies(ctx),
    budgets: sqlBudgets(ctx),
    publications: sqlPublications(ctx),
    suspensions: sqlSuspensions(ctx),
    shadow: sqlShadow(ctx),
    audit: sqlAudit(ctx),
    record: (item) => committer.submit(recordUnit(ctx, item)),
    recordInput: (writes) => committer.submit(inputUnit(ctx, writes)),
    onApproval: (listener) =>
      bus.subscribe((event) => {
        if (event.type === 'approval') listener(event);
      }),
    onBudgetSpent: (listener) =>
      bus.subscribe((event) => {
        if (event.type === 'budget') listener(event);
      }),
    auditPublicKeyPem: signer.publicKeyPem,
    async close() {
      if (closed) return;
      closed = true;
      await indexer.close();
      await committer.close();
      await bus.close();
      await db.close();
    },
  };
}
