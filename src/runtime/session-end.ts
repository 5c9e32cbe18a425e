import { buildCallRecord, callRecordWrite } from '../crm/index.ts';
import type { SessionMeta } from '../model/index.ts';
import type { Store } from '../store/types.ts';

/**
 * Marks the session ended in the store, then queues its call record (a call engagement or note
 * on the contact and deal) in the CRM outbox, once per session.
 */
export async function recordSessionEnd(
  store: Store,
  meta: SessionMeta,
  at: number,
  reason: string,
  publicUrl: string,
): Promise<void> {
  const row = await store.sessions.end(meta.sessionId, at, reason);
  const [decisions, directives, approvals] = await Promise.all([
    store.decisions.listBySession(meta.sessionId),
    store.directives.listBySession(meta.sessionId),
    store.approvals.listBySession(meta.sessionId),
  ]);
  const record = buildCallRecord({
    meta,
    startedAt: row?.startedAt ?? at,
    endedAt: at,
    endReason: reason,
    decisions,
    directives,
    approvals,
    optedOut: directives.some((d) => d.rule === 'consent.opt_out'),
    publicUrl,
  });
  const anchor = directives.at(-1)?.id ?? decisions.at(-1)?.id ?? `${meta.sessionId}:end`;
  await store.outbox.enqueue(callRecordWrite(record, meta, anchor, at));
}
