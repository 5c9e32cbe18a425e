import type { SessionMeta } from '../model/index.ts';
import type { OutboxEnqueue } from '../store/types.ts';
import type { CallRecord } from './call-record.ts';

/** The policy's do-not-call marker (`policy.crm.do_not_call`). */
export interface DoNotCallMarker {
  object: 'contact';
  property: string;
  value: string;
}

/**
 * The outbox write that leaves the call record (call engagement or note) at session end. The
 * worker associates it with the session's contact and deal. One per session (idempotent).
 */
export function callRecordWrite(record: CallRecord, meta: SessionMeta, decisionId: string, now: number): OutboxEnqueue {
  return {
    id: `${meta.sessionId}.record`,
    sessionId: meta.sessionId,
    decisionId,
    idempotencyKey: `call-record:${meta.sessionId}`,
    object: record.object,
    objectId: null,
    properties: record.properties,
    createdAt: now,
  };
}

/**
 * The write that marks the contact do-not-call after an opt-out. It is never blocked by tiers: the
 * caller queues it with the opt-out directive, without asking the gate. Null when the session names
 * no contact (there is nothing to mark; the call record still says the customer opted out).
 */
export function doNotCallWrite(
  marker: DoNotCallMarker,
  meta: SessionMeta,
  directiveId: string,
  now: number,
): OutboxEnqueue | null {
  if (!meta.contactId) return null;
  return {
    id: `${meta.sessionId}.do-not-call`,
    sessionId: meta.sessionId,
    decisionId: directiveId,
    idempotencyKey: `do-not-call:${meta.sessionId}`,
    object: marker.object,
    objectId: meta.contactId,
    properties: { [marker.property]: marker.value },
    createdAt: now,
  };
}
