import type { Decision, Directive } from '../model/index.ts';
import { json, num, numOrNull } from './context.ts';
import type {
  ApprovalRow,
  AuditEntry,
  OutboxRow,
  OverrideRow,
  PolicyVersionRow,
  SessionRow,
  SignedHead,
} from './types.ts';

type R = Record<string, unknown>;

export function sessionFromRow(r: R): SessionRow {
  return {
    id: r.id as string,
    meta: json(r.meta),
    policyVersion: r.policy_version as string,
    startedAt: num(r.started_at),
    endedAt: numOrNull(r.ended_at),
    endReason: (r.end_reason as string | null) ?? null,
  };
}

export function decisionFromRow(r: R): Decision {
  return json(r.body);
}

export function directiveFromRow(r: R): Directive {
  return json(r.body);
}

export function approvalFromRow(r: R): ApprovalRow {
  return { ...(json(r.body) as ApprovalRow), status: r.status as ApprovalRow['status'], version: num(r.version) };
}

export function overrideFromRow(r: R): OverrideRow {
  return {
    id: r.id as string,
    approvalId: r.approval_id as string,
    sessionId: r.session_id as string,
    kind: r.kind as OverrideRow['kind'],
    bound: json(r.bound),
    paramsHash: r.params_hash as string,
    expiresAt: num(r.expires_at),
    usedAt: numOrNull(r.used_at),
    usedByDecision: (r.used_by_decision as string | null) ?? null,
    createdAt: num(r.created_at),
  };
}

export function outboxFromRow(r: R): OutboxRow {
  return {
    id: r.id as string,
    sessionId: r.session_id as string,
    decisionId: r.decision_id as string,
    idempotencyKey: r.idempotency_key as string,
    object: r.object as OutboxRow['object'],
    objectId: (r.object_id as string | null) ?? null,
    properties: json(r.properties),
    previous: r.previous === null || r.previous === undefined ? null : json(r.previous),
    status: r.status as OutboxRow['status'],
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
    hubspotId: (r.hubspot_id as string | null) ?? null,
    leaseUntil: numOrNull(r.lease_until),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

export function policyFromRow(r: R): PolicyVersionRow {
  return {
    id: r.id as string,
    label: r.label as string,
    contentHash: r.content_hash as string,
    yaml: r.yaml as string,
    author: r.author as string,
    reason: r.reason as string,
    createdAt: num(r.created_at),
    parent: (r.parent as string | null) ?? null,
  };
}

/** The raw stored row (payload parsed); the verifier recomputes every hash from it. */
export function auditFromRow(r: R): AuditEntry {
  let payload: AuditEntry['payload'];
  try {
    payload = JSON.parse(r.payload as string);
  } catch {
    payload = { unparseable: String(r.payload) };
  }
  return {
    seq: num(r.seq),
    id: r.id as string,
    at: num(r.at),
    sessionId: (r.session_id as string | null) ?? null,
    actor: r.actor as string,
    kind: r.kind as AuditEntry['kind'],
    payload,
    policyVersion: (r.policy_version as string | null) ?? null,
    bodyHash: r.body_hash as string,
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function signatureFromRow(r: R): SignedHead {
  return {
    seq: num(r.seq),
    hash: r.hash as string,
    keyId: r.key_id as string,
    signature: r.signature as string,
    signedAt: num(r.signed_at),
  };
}
