import { tenantVisible } from '../auth/index.ts';
import type { LiveSession } from '../runtime/live-session.ts';
import type { ApprovalRow, SessionRow, Store } from '../store/types.ts';

/** A session as the console lists it. */
export function sessionSummary(row: SessionRow, live: boolean) {
  return {
    id: row.id,
    callId: row.meta.callId,
    agentId: row.meta.agentId,
    tenantId: row.meta.tenantId,
    role: row.meta.role,
    channel: row.meta.channel,
    policyVersion: row.policyVersion,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
    live,
  };
}

/**
 * Live sessions (this node's, with the store's for other nodes) and the newest recorded ones; with
 * `tenantId`, that tenant's only.
 */
export async function sessionsView(
  store: Store,
  liveHere: readonly LiveSession[],
  options: { tenantId?: string | undefined; limit?: number } = {},
) {
  const { tenantId, limit = 50 } = options;
  const here = new Set(liveHere.map((s) => s.id));
  const [live, recent] = await Promise.all([
    store.sessions.listLive(),
    store.sessions.list({ limit, ...(tenantId !== undefined ? { tenantId } : {}) }),
  ]);
  return {
    live: live
      .filter((row) => tenantVisible({ tenantId }, row.meta.tenantId))
      .map((row) => ({ ...sessionSummary(row, true), onThisNode: here.has(row.id) })),
    recent: recent.map((row) => sessionSummary(row, row.endedAt === null)),
  };
}

/** One session: its decisions (with rationale and quoted evidence), directives and approvals. */
export async function sessionDetail(store: Store, id: string) {
  const row = await store.sessions.get(id);
  if (!row) return null;
  const [decisions, directives, approvals] = await Promise.all([
    store.decisions.listBySession(id),
    store.directives.listBySession(id),
    store.approvals.listBySession(id),
  ]);
  return { session: sessionSummary(row, row.endedAt === null), decisions, directives, approvals };
}

/** A pending approval with what an approver needs to judge it. */
export function approvalView(row: ApprovalRow) {
  return {
    id: row.id,
    sessionId: row.sessionId,
    agentId: row.agentId,
    tenantId: row.tenantId,
    kind: row.kind,
    bound: row.bound,
    reason: row.reason,
    approverRole: row.approverRole,
    approversRequired: row.approversRequired,
    votes: row.votes,
    status: row.status,
    deadline: row.deadline,
    createdAt: row.createdAt,
  };
}
