import { doNotCallWrite } from '../crm/session-end-writes.ts';
import { type CrmWriteParams, CrmWriteParams as CrmWriteSchema, type SessionMeta } from '../model/index.ts';
import type { LoadedPolicy } from '../policy/index.ts';
import type { SessionInput } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';
import type { SessionInput as InputRow, Json, OutboxEnqueue, RecordItem } from '../store/types.ts';

/** The replay row of one applied input (`seq` is the session's input count, as in `stateRef.seq`). */
export function inputRow(sessionId: string, seq: number, input: SessionInput): InputRow {
  return { sessionId, seq, at: input.at, type: input.type, payload: input as unknown as Json };
}

/** The CRM write an allowed (or sanitized) `crm_write` decision queues: Guardline holds the CRM token, never the agent. */
export function crmWriteFor(
  decision: Extract<SessionOutput, { type: 'decision' }>['decision'],
  proposal: unknown,
): OutboxEnqueue | null {
  if (decision.kind !== 'crm_write' || (decision.outcome !== 'allow' && decision.outcome !== 'sanitize')) return null;
  const raw =
    decision.outcome === 'sanitize' && decision.sanitized
      ? decision.sanitized
      : (proposal as { params?: unknown })?.params;
  const params = CrmWriteSchema.safeParse(raw);
  if (!params.success) return null;
  const write: CrmWriteParams = params.data;
  return {
    id: `${decision.id}.crm`,
    sessionId: decision.sessionId,
    decisionId: decision.id,
    idempotencyKey: `decision:${decision.id}`,
    object: write.object,
    objectId: write.id ?? null,
    properties: write.properties as Record<string, Json>,
    createdAt: decision.at,
  };
}

/**
 * What to make durable for one applied input besides its row (`store.recordInput` writes that):
 * one item per decision or directive, the do-not-call write queued with the directive it came with
 * (`loose` when there is none). `items` is empty when the input produced no decision or directive.
 */
export function recordItems(
  meta: SessionMeta,
  policy: LoadedPolicy,
  input: SessionInput,
  outputs: readonly SessionOutput[],
): { items: RecordItem[]; loose: OutboxEnqueue[] } {
  const { tenantId, agentId } = meta;
  const items: RecordItem[] = [];
  for (const o of outputs) {
    if (o.type === 'decision') {
      const write = crmWriteFor(o.decision, input.type === 'propose' ? input.proposal : null);
      const item: RecordItem = { actor: `agent:${agentId}`, tenantId, agentId, decision: o.decision };
      if (write) item.outbox = [write];
      items.push(item);
    } else if (o.type === 'directive') {
      items.push({ actor: 'system', tenantId, agentId, directive: o.directive });
    }
  }
  const dnc = outputs.find((o) => o.type === 'do_not_call');
  if (dnc) {
    const carrier = items.find((i) => i.directive?.kind === 'end_call') ?? items[0];
    const anchor = carrier?.directive?.id ?? carrier?.decision?.id ?? `${meta.sessionId}:dnc`;
    const write = doNotCallWrite(policy.policy.crm.do_not_call, meta, anchor, dnc.at);
    if (write && carrier) carrier.outbox = [...(carrier.outbox ?? []), write];
    else if (write) return { items, loose: [write] };
  }
  return { items, loose: [] };
}
