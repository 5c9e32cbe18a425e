/**
 * The store contract: one interface, two backends (SQLite embedded default, PostgreSQL for many
 * runtime nodes), the same migrations and the same test suite. Every method is async. Every write
 * goes through the store's group committer: writes arriving in the same tick share one durable
 * transaction, and a promise resolves only once its write is durable.
 */
import type { ApprovalRequest, CrmObject, Decision, Directive, ProposalKind, SessionMeta } from '../model/index.ts';

/** Epoch milliseconds. */
export type Millis = number;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// --- sessions --------------------------------------------------------------------------------

export interface SessionRow {
  id: string;
  meta: SessionMeta;
  policyVersion: string;
  startedAt: Millis;
  endedAt: Millis | null;
  endReason: string | null;
}

export interface SessionsStore {
  /** Creates the session and audits `session_started`. Fails with GL_STORE_CONFLICT if the id exists. */
  create(meta: SessionMeta, policyVersion: string, at: Millis): Promise<SessionRow>;
  /** Marks it ended and audits `session_ended`; ending an ended session changes nothing. */
  end(id: string, at: Millis, reason: string): Promise<SessionRow | null>;
  get(id: string): Promise<SessionRow | null>;
  listByCrmObject(objectType: 'contact' | 'deal', id: string): Promise<SessionRow[]>;
  listLive(): Promise<SessionRow[]>;
  /** Newest first (by start time), optionally only live or only ended ones; `limit` defaults to 100. */
  list(filter?: { status?: 'live' | 'ended'; limit?: number }): Promise<SessionRow[]>;
}

// --- inputs (the replay record) --------------------------------------------------------------

export interface SessionInput {
  sessionId: string;
  /** 0, 1, 2, ... per session; the decision's `stateRef.seq` points here. */
  seq: number;
  at: Millis;
  type: string;
  payload: Json;
}

export interface InputsStore {
  /** Appends one input; appending the same (sessionId, seq) again is a no-op (the first write wins). */
  append(input: SessionInput): Promise<void>;
  /** In `seq` order. */
  list(sessionId: string): Promise<SessionInput[]>;
}

// --- decisions -------------------------------------------------------------------------------

export interface DecisionsStore {
  get(id: string): Promise<Decision | null>;
  /** In the order they were recorded. */
  listBySession(sessionId: string): Promise<Decision[]>;
}

export interface DirectivesStore {
  listBySession(sessionId: string): Promise<Directive[]>;
}

// --- approvals and overrides -----------------------------------------------------------------

export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired';

export interface ApprovalVote {
  approverId: string;
  verdict: 'approve' | 'deny';
  reason: string;
  at: Millis;
}

export interface ApprovalRow extends ApprovalRequest {
  sessionId: string;
  decisionId: string;
  proposalId: string;
  tenantId: string | null;
  agentId: string | null;
  status: ApprovalStatus;
  votes: ApprovalVote[];
  /** The override minted when approved. */
  overrideId: string | null;
  createdAt: Millis;
  decidedAt: Millis | null;
  /** Optimistic-concurrency counter: each change increments it. */
  version: number;
}

export interface OverrideRow {
  id: string;
  approvalId: string;
  sessionId: string;
  kind: ProposalKind;
  /** The approved bound, and the hash of the approved parameters it is bound to. */
  bound: Record<string, unknown>;
  paramsHash: string;
  expiresAt: Millis;
  usedAt: Millis | null;
  usedByDecision: string | null;
  createdAt: Millis;
}

/** An audit entry before the chain gives it seq, prevHash and hash. */
export interface AuditDraft {
  id: string;
  at: Millis;
  sessionId: string | null;
  /** `agent:<id>`, `human:<id>`, or `system`. */
  actor: string;
  kind: AuditKind;
  payload: Json;
  policyVersion: string | null;
}

export interface ApprovalsStore {
  get(id: string): Promise<ApprovalRow | null>;
  listBySession(sessionId: string): Promise<ApprovalRow[]>;
  listPending(): Promise<ApprovalRow[]>;
  /** Newest first (by creation), optionally of one status; `limit` defaults to 100. */
  list(filter?: { status?: ApprovalStatus; limit?: number }): Promise<ApprovalRow[]>;
  /** Pending approvals whose deadline is <= now. */
  listDue(now: Millis): Promise<ApprovalRow[]>;
  /**
   * Replaces the row with `next` only if its stored version is still `expectVersion` (and bumps
   * it), inserting `override` and appending `audit` in the same durable transaction. Returns false
   * (and writes nothing) when another writer changed the row first.
   */
  update(next: ApprovalRow, expectVersion: number, audit: AuditDraft, override?: OverrideRow): Promise<boolean>;
}

export interface OverridesStore {
  get(id: string): Promise<OverrideRow | null>;
  /**
   * Reads the override (locked against other writers), asks `judge` whether this use is allowed,
   * marks it used by `decisionId` if so (and it is still unused), and appends the judge's audit
   * entry either way (a refused use is audited too) — one durable transaction.
   */
  consume(
    id: string,
    use: { decisionId: string; now: Millis },
    judge: (row: OverrideRow | null) => { allowed: boolean; audit: AuditDraft },
  ): Promise<{ consumed: boolean; row: OverrideRow | null }>;
}

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
  scheduleRetry(id: string, retry: { nextAttemptAt: Millis; error: string; now: Millis }): Promise<OutboxRow | null>;
  /** Gives up for now: kept for an operator, never retried automatically. */
  park(id: string, failure: { error: string; now: Millis }): Promise<OutboxRow | null>;
  /** No CRM is configured: recorded, not delivered. */
  markNotConfigured(id: string, info: { now: Millis; error?: string }): Promise<OutboxRow | null>;
  markRolledBack(id: string, info: { now: Millis }): Promise<OutboxRow | null>;
  get(id: string): Promise<OutboxRow | null>;
  list(filter?: { status?: OutboxStatus; sessionId?: string; limit?: number }): Promise<OutboxRow[]>;
}

// --- policies --------------------------------------------------------------------------------

export interface PolicyVersionRow {
  /** Content-derived, e.g. `p-<first 12 hex of contentHash>`, or chosen by the caller. */
  id: string;
  label: string;
  contentHash: string;
  yaml: string;
  author: string;
  reason: string;
  createdAt: Millis;
  parent: string | null;
}

export interface PoliciesStore {
  /** Versions are immutable: creating an existing id with other content fails (GL_STORE_CONFLICT). Audited. */
  create(version: PolicyVersionRow): Promise<PolicyVersionRow>;
  get(id: string): Promise<PolicyVersionRow | null>;
  list(): Promise<PolicyVersionRow[]>;
  /** Audited `policy_activated`. */
  setActive(id: string, by: { actor: string; reason: string; at: Millis }): Promise<void>;
  getActive(): Promise<PolicyVersionRow | null>;
}

// --- policy operations: publications, suspensions, shadow (src/policy-versions, src/suspensions, src/shadow)

/** A publication waiting for a second manager (the active policy's `publishing.second_approver`). */
export interface PublicationRow {
  versionId: string;
  requestedBy: string;
  reason: string;
  requestedAt: Millis;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: Millis | null;
}

export interface PublicationsStore {
  /** Records the request (audited); a pending request for the same version is replaced. */
  request(row: Omit<PublicationRow, 'status' | 'decidedBy' | 'decidedAt'>): Promise<PublicationRow>;
  get(versionId: string): Promise<PublicationRow | null>;
  listPending(): Promise<PublicationRow[]>;
  /** Decides a pending request (audited); returns null when none is pending. Approving does not activate. */
  decide(versionId: string, by: { actor: string; approve: boolean; at: Millis }): Promise<PublicationRow | null>;
}

export type SuspensionScope = 'agent' | 'role' | 'tenant';

export interface SuspensionRow {
  id: string;
  scope: SuspensionScope;
  /** The agent id, the role name, or the tenant id. */
  target: string;
  /** What live sessions get: `hold` (until lifted) or `end_call`. */
  action: 'hold' | 'end_call';
  reason: string;
  createdBy: string;
  createdAt: Millis;
  liftedBy: string | null;
  liftedAt: Millis | null;
  liftReason: string | null;
}

export interface SuspensionsStore {
  /** Audited `suspension_set`. */
  create(row: SuspensionRow): Promise<SuspensionRow>;
  /** Audited `suspension_lifted`; null when unknown or already lifted. */
  lift(id: string, by: { actor: string; reason: string; at: Millis }): Promise<SuspensionRow | null>;
  get(id: string): Promise<SuspensionRow | null>;
  /** Not lifted, oldest first. */
  listActive(): Promise<SuspensionRow[]>;
  list(limit?: number): Promise<SuspensionRow[]>;
}

export interface ShadowStore {
  /** The candidate version every new session also runs in shadow (audited), or null to stop. */
  setCandidate(versionId: string | null, by: { actor: string; reason: string; at: Millis }): Promise<void>;
  getCandidate(): Promise<{ versionId: string; startedAt: Millis } | null>;
  /** A session the candidate shadows (idempotent). */
  addSession(candidate: string, sessionId: string, at: Millis): Promise<void>;
  /** Shadow decisions, in the order they were made (`ord`); idempotent on decision id. */
  addDecisions(candidate: string, sessionId: string, decisions: { ord: number; decision: Decision }[]): Promise<void>;
  listSessions(candidate: string): Promise<string[]>;
  listDecisions(candidate: string, sessionId: string): Promise<Decision[]>;
}

// --- budgets ---------------------------------------------------------------------------------

/** The policy's daily cap names (`budgets.per_agent_daily` / `per_tenant_daily` in the policy). */
export type BudgetMetric = 'concession_percent_points' | 'concession_usd' | 'approvals' | 'calls';

export interface BudgetCharge {
  /** `tenant:<id>` or `agent:<id>`. */
  scope: string;
  metric: BudgetMetric;
  /** `YYYY-MM-DD` (UTC or the tenant's zone, the caller decides). */
  day: string;
  amount: number;
  /** The charge fails if the counter would exceed it. */
  cap: number;
}

export interface BudgetsStore {
  /**
   * Applies every charge or none, atomically across sessions and nodes. On refusal, `refused`
   * names the first charge that would have exceeded its cap.
   */
  charge(charges: BudgetCharge[]): Promise<{ ok: boolean; totals: number[]; refused?: BudgetCharge }>;
  get(scope: string, metric: BudgetMetric, day: string): Promise<number>;
}

// --- audit -----------------------------------------------------------------------------------

export type AuditKind =
  | 'session_started'
  | 'session_ended'
  | 'decision'
  | 'directive'
  | 'approval_requested'
  | 'approval_vote'
  | 'approval_decided'
  | 'approval_expired'
  | 'override_used'
  | 'override_refused'
  | 'policy_created'
  | 'policy_activated'
  | 'policy_publication_requested'
  | 'policy_publication_decided'
  | 'shadow_started'
  | 'shadow_stopped'
  | 'suspension_set'
  | 'suspension_lifted';

export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  /** sha256 of the canonical entry body (everything above except seq, sessionId, hashes). */
  bodyHash: string;
  /** `hash` of the entry before (64 zeros for the first). */
  prevHash: string;
  /** sha256(canonical([prevHash, sessionId, bodyHash])). */
  hash: string;
}

/** The chain head signed with the audit key (Ed25519 over `guardline-audit-head/1:<seq>:<hash>`). */
export interface SignedHead {
  seq: number;
  hash: string;
  /** sha256 (hex, first 16) of the public key's DER. */
  keyId: string;
  /** base64 */
  signature: string;
  signedAt: Millis;
}

export interface AuditStore {
  /** Appends entries (one durable transaction, chained and head-signed). */
  append(drafts: AuditDraft[]): Promise<AuditEntry[]>;
  /** Entries with fromSeq <= seq <= toSeq in seq order (the raw rows, as stored). */
  range(fromSeq: number, toSeq: number): Promise<AuditEntry[]>;
  /** Entries of one session in seq order. */
  listBySession(sessionId: string): Promise<AuditEntry[]>;
  /** The latest signed head, or null for an empty chain. */
  head(): Promise<SignedHead | null>;
  /** Signed heads with fromSeq <= seq <= toSeq. */
  signatures(fromSeq: number, toSeq: number): Promise<SignedHead[]>;
  /** The first signed head at or after `seq`. */
  signatureAtOrAfter(seq: number): Promise<SignedHead | null>;
  findById(id: string): Promise<AuditEntry | null>;
  /** Entries whose own hash / whose prevHash is `hash` (the verifier uses these to name a break). */
  findByHash(hash: string): Promise<AuditEntry[]>;
  findByPrevHash(hash: string): Promise<AuditEntry[]>;
  /** The largest seq stored (0 when empty), whatever the head says. */
  maxSeq(): Promise<number>;
}

// --- the durability entry point --------------------------------------------------------------

/**
 * One thing the runtime decided, made durable with its audit entry in one transaction shared
 * with every other item that arrives in the same tick (group commit).
 */
export interface RecordItem {
  /** Agent identity (`agent:<id>`) or human identity (`human:<id>`) or `system`. */
  actor: string;
  decision?: Decision;
  directive?: Directive;
  /** The input that led to it, for replay (appended if not already present). */
  input?: SessionInput;
  /** CRM writes this decision queues. */
  outbox?: OutboxEnqueue[];
  /** Tenant and agent of the session, stored with an approval request (for budgets and listing). */
  tenantId?: string;
  agentId?: string;
}

export interface RecordResult {
  /** The audit entries written: the decision or directive, then `approval_requested` if any. */
  entries: AuditEntry[];
}

export interface ApprovalEvent {
  approvalId: string;
  status: ApprovalStatus;
  sessionId: string;
}

export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly sessions: SessionsStore;
  readonly inputs: InputsStore;
  readonly decisions: DecisionsStore;
  readonly directives: DirectivesStore;
  readonly approvals: ApprovalsStore;
  readonly overrides: OverridesStore;
  readonly outbox: OutboxStore;
  readonly policies: PoliciesStore;
  readonly budgets: BudgetsStore;
  readonly publications: PublicationsStore;
  readonly suspensions: SuspensionsStore;
  readonly shadow: ShadowStore;
  readonly audit: AuditStore;
  /**
   * Makes a decision or directive durable with its audit entry and the rows it creates (an
   * approval request for `needs_approval`, CRM outbox rows, the input). Resolves only once
   * durable; rejects (and writes nothing for this item) on failure.
   */
  record(item: RecordItem): Promise<RecordResult>;
  /**
   * Approval status changes, from this node and (PostgreSQL: LISTEN/NOTIFY on
   * `guardline_approvals`) every other node sharing the database. Resolves, once events will be
   * delivered, to the function that unsubscribes.
   */
  onApproval(listener: (event: ApprovalEvent) => void): Promise<() => void>;
  /** The public key that verifies this store's signed heads (PEM, SPKI). */
  readonly auditPublicKeyPem: string;
  close(): Promise<void>;
}
