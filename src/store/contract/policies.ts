import type { Decision } from '../../model/index.ts';
import type { Millis } from './common.ts';

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
  /** The tenant it is confined to (made by a manager of that tenant); null: every tenant. */
  tenantId: string | null;
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
