import type { Decision } from '../model/index.ts';
import type { BufferedTx } from './buffered-tx.ts';
import type { ChainAppender } from './chain-appender.ts';
import type { StoreContext } from './context.ts';
import { enqueueOutbox, requeueParked } from './sql-outbox.ts';
import { INPUT_COLUMNS, inputValues } from './sql-sessions.ts';
import type { ApprovalRow, AuditEntry, InputWrites, Json, RecordItem, RecordResult } from './types.ts';

export const APPROVAL_COLUMNS = [
  'id',
  'session_id',
  'decision_id',
  'status',
  'deadline',
  'version',
  'created_at',
  'body',
];

/** The decision's JSON is its audit entry's payload: not stored twice. */
const DECISION_COLUMNS = ['id', 'session_id', 'proposal_id', 'kind', 'outcome', 'at', 'audit_seq'];
const DIRECTIVE_COLUMNS = ['id', 'session_id', 'kind', 'at', 'audit_seq', 'body'];

export function approvalValues(row: ApprovalRow): unknown[] {
  return [
    row.id,
    row.sessionId,
    row.decisionId,
    row.status,
    row.deadline,
    row.version,
    row.createdAt,
    JSON.stringify(row),
  ];
}

/** The approval row a `needs_approval` decision creates. */
export function approvalFromDecision(decision: Decision, item: RecordItem): ApprovalRow | null {
  if (decision.outcome !== 'needs_approval' || !decision.approval) return null;
  return {
    ...decision.approval,
    sessionId: decision.sessionId,
    decisionId: decision.id,
    proposalId: decision.proposalId,
    tenantId: item.tenantId ?? null,
    agentId: item.agentId ?? null,
    status: 'pending',
    votes: [],
    overrideId: null,
    createdAt: decision.at,
    decidedAt: null,
    version: 1,
  };
}

/** The unit of work behind `store.record`: one decision or directive and everything it creates. */
export function recordUnit(ctx: StoreContext, item: RecordItem) {
  return async (tx: BufferedTx, chain: ChainAppender): Promise<RecordResult> => {
    const entries: AuditEntry[] = [];
    if (item.input) tx.insert('session_inputs', INPUT_COLUMNS, inputValues(item.input), 'ON CONFLICT DO NOTHING');
    const { decision, directive } = item;
    if (decision) {
      const entry = chain.append({
        id: `decision:${decision.id}`,
        at: decision.at,
        sessionId: decision.sessionId,
        actor: item.actor,
        kind: 'decision',
        payload: decision as unknown as Json,
        policyVersion: decision.policyVersion,
      });
      entries.push(withoutText(entry));
      tx.insert('decisions', DECISION_COLUMNS, [
        decision.id,
        decision.sessionId,
        decision.proposalId,
        decision.kind,
        decision.outcome,
        decision.at,
        entry.seq,
      ]);
      // Where no unique index keeps decision ids unique (SQLite), the transaction checks them.
      if (ctx.db.decisionIds) tx.claimDecisionId(decision.id, entry.seq, ctx.db.decisionIds);
      const approval = approvalFromDecision(decision, item);
      if (approval) {
        tx.insert('approvals', APPROVAL_COLUMNS, approvalValues(approval));
        entries.push(
          withoutText(
            chain.append({
              id: `approval_requested:${approval.id}`,
              at: decision.at,
              sessionId: decision.sessionId,
              actor: item.actor,
              kind: 'approval_requested',
              payload: approval as unknown as Json,
              policyVersion: decision.policyVersion,
            }),
          ),
        );
        await ctx.publish(tx, {
          type: 'approval',
          approvalId: approval.id,
          status: 'pending',
          sessionId: approval.sessionId,
        });
      }
    }
    if (directive) {
      const entry = chain.append({
        id: `directive:${directive.id}`,
        at: directive.at,
        sessionId: directive.sessionId,
        actor: item.actor,
        kind: 'directive',
        payload: directive as unknown as Json,
        policyVersion: directive.policyVersion,
      });
      entries.push(withoutText(entry));
      tx.insert('directives', DIRECTIVE_COLUMNS, [
        directive.id,
        directive.sessionId,
        directive.kind,
        directive.at,
        entry.seq,
        entry.payloadText,
      ]);
    }
    for (const write of item.outbox ?? []) enqueueOutbox(tx, write);
    for (const id of item.requeue ?? [])
      await requeueParked(tx, id, decision?.id ?? null, decision?.at ?? directive?.at ?? 0);
    return { entries };
  };
}

/** The unit behind `store.recordInput`: one input's row, its items and its loose CRM writes. */
export function inputUnit(ctx: StoreContext, writes: InputWrites) {
  const units = writes.items.map((item) => recordUnit(ctx, item));
  return async (tx: BufferedTx, chain: ChainAppender): Promise<RecordResult[]> => {
    tx.insert('session_inputs', INPUT_COLUMNS, inputValues(writes.input), 'ON CONFLICT DO NOTHING');
    const results: RecordResult[] = [];
    for (const unit of units) results.push(await unit(tx, chain));
    for (const write of writes.outbox ?? []) enqueueOutbox(tx, write);
    return results;
  };
}

function withoutText(entry: AuditEntry & { payloadText?: string }): AuditEntry {
  const { payloadText: _text, ...rest } = entry;
  return rest;
}
