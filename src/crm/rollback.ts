import { GuardlineError } from '../errors/index.ts';
import type { Decision } from '../model/index.ts';
import type { OutboxEnqueue, OutboxRow, Store } from '../store/types.ts';
import { rollbackKey, rollbackTarget } from './write-values.ts';

export interface RollbackRequest {
  writeId: string;
  /** Who asks: `human:<id>` for a manager; anything else is refused by the default gate. */
  actor: string;
  reason: string;
  now: number;
}

/** The rollback as the gate sees it: the write to undo and the values that would be restored. */
export interface RollbackProposal {
  id: string;
  sessionId: string;
  write: OutboxRow;
  restore: Record<string, unknown>;
  actor: string;
  reason: string;
  policyVersion: string;
  now: number;
}

/** Gates a rollback; the decision is recorded (audited) whatever its outcome. */
export type RollbackGate = (proposal: RollbackProposal) => Promise<Decision> | Decision;

export interface RollbackResult {
  decision: Decision;
  /** The outbox write that restores the previous values; null when not allowed. */
  rollbackWrite: OutboxRow | null;
}

/**
 * The default gate for rollbacks: a manager (a human actor) may undo a CRM write Guardline made;
 * an agent or system may not. The lead can swap in the full gate.
 */
export const managerRollbackGate: RollbackGate = (p) => {
  const human = p.actor.startsWith('human:') && p.actor.length > 'human:'.length;
  return {
    id: `${p.id}.decision`,
    proposalId: p.id,
    sessionId: p.sessionId,
    kind: 'crm_write',
    outcome: human ? 'allow' : 'deny',
    rationale: [
      {
        rule: 'crm.rollback.manager_only',
        facts: {
          actor: p.actor,
          writeId: p.write.id,
          object: p.write.object,
          objectId: p.write.objectId,
          reason: p.reason,
        },
        message: human
          ? `Manager ${p.actor.slice(6)} rolled back CRM write ${p.write.id}: ${p.reason}`
          : `Only a manager may roll back a CRM write; ${p.actor} may not.`,
      },
    ],
    policyVersion: p.policyVersion,
    stateRef: { seq: 0, state: 'crm_rollback' },
    at: p.now,
  };
};

function refuse(detail: string): never {
  throw new GuardlineError('GL_CRM_ROLLBACK_REFUSED', detail);
}

/**
 * Rolls back a delivered CRM property update: gates it, records the decision with its audit entry,
 * and (if allowed) queues in the same transaction a write restoring the exact previous values.
 * The original write is marked `rolled_back` when that write is delivered.
 * Used by `guardline crm rollback` and by `POST /v1/crm-writes/:id/rollback`.
 */
export async function requestRollback(
  store: Pick<Store, 'outbox' | 'policies' | 'record'>,
  request: RollbackRequest,
  gate: RollbackGate = managerRollbackGate,
): Promise<RollbackResult> {
  const write = await store.outbox.get(request.writeId);
  if (!write) throw new GuardlineError('GL_CRM_WRITE_NOT_FOUND', `write ${request.writeId}`);
  if (rollbackTarget(write.idempotencyKey)) refuse(`${write.id} is itself a rollback.`);
  if (write.status === 'rolled_back') refuse(`${write.id} is already rolled back.`);
  if (write.status !== 'delivered') refuse(`${write.id} is ${write.status}: nothing was written to undo.`);
  if (write.objectId === null) {
    refuse(
      `${write.id} created ${write.object} ${write.hubspotId ?? ''}; only property updates can be undone (archive it in HubSpot).`,
    );
  }
  if (!write.previous) refuse(`${write.id} has no recorded previous values.`);
  const existing = await store.outbox.get(`${write.id}.rollback`);
  if (existing && existing.status !== 'parked') refuse(`a rollback of ${write.id} is already ${existing.status}.`);

  const policyVersion = (await store.policies.getActive())?.id ?? 'none';
  const proposal: RollbackProposal = {
    id: `${write.id}.rollback.${request.now}`,
    sessionId: write.sessionId,
    write,
    restore: write.previous,
    actor: request.actor,
    reason: request.reason,
    policyVersion,
    now: request.now,
  };
  const decision = await gate(proposal);
  const allowed = decision.outcome === 'allow';
  const enqueue: OutboxEnqueue = {
    id: `${write.id}.rollback`,
    sessionId: write.sessionId,
    decisionId: decision.id,
    idempotencyKey: rollbackKey(write.id),
    object: write.object,
    objectId: write.objectId,
    properties: write.previous,
    createdAt: request.now,
  };
  // A parked rollback asked for again is sent again (its row exists: queuing it anew would do nothing).
  const queues = existing ? { requeue: [existing.id] } : { outbox: [enqueue] };
  await store.record({ actor: request.actor, decision, ...(allowed ? queues : {}) });
  if (!allowed) return { decision, rollbackWrite: null };
  return { decision, rollbackWrite: await store.outbox.get(enqueue.id) };
}
