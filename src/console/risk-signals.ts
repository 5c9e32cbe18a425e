import { tenantVisible } from '../auth/index.ts';
import type { AuditEntry, Store } from '../store/types.ts';

/**
 * Which sessions to count: by agent, by the role the session started in, by policy version. Sessions
 * of another tenant than `tenantId` are left out entirely (not even offered as choices).
 */
export interface SignalFilter {
  tenantId?: string | undefined;
  agentId?: string;
  role?: string;
  policyVersion?: string;
}

/** Counts for one time bucket (or a whole breakdown group). */
export interface SignalCounts {
  decisions: number;
  allow: number;
  deny: number;
  needs_approval: number;
  sanitize: number;
  approvalsRequested: number;
  approved: number;
  denied: number;
  expired: number;
  /** Sum and count of request → approved durations (ms) decided in the bucket. */
  approveMsTotal: number;
  approveCount: number;
  overridesUsed: number;
  optOuts: number;
}

export interface SignalBucket extends SignalCounts {
  start: number;
  /** deny / decisions (0 when there were none). */
  blockRate: number;
  /** needs_approval / decisions. */
  approvalRate: number;
  /** Mean time to approve in ms, null when nothing was approved in the bucket. */
  meanApproveMs: number | null;
}

export interface RiskSignals {
  bucketMs: number;
  from: number;
  to: number;
  buckets: SignalBucket[];
  totals: SignalBucket;
  /** Totals per agent, per starting role and per policy version (before the filter on that dimension). */
  by: {
    agent: Record<string, SignalCounts>;
    role: Record<string, SignalCounts>;
    policyVersion: Record<string, SignalCounts>;
  };
  /** The values seen, for the filter menus. */
  options: { agents: string[]; roles: string[]; policyVersions: string[] };
}

interface SessionFacts {
  agentId: string;
  role: string;
  policyVersion: string;
}

const OPT_OUT_RULE = 'consent.opt_out';

export function emptyCounts(): SignalCounts {
  return {
    decisions: 0,
    allow: 0,
    deny: 0,
    needs_approval: 0,
    sanitize: 0,
    approvalsRequested: 0,
    approved: 0,
    denied: 0,
    expired: 0,
    approveMsTotal: 0,
    approveCount: 0,
    overridesUsed: 0,
    optOuts: 0,
  };
}

function withRates(start: number, c: SignalCounts): SignalBucket {
  return {
    start,
    ...c,
    blockRate: c.decisions ? c.deny / c.decisions : 0,
    approvalRate: c.decisions ? c.needs_approval / c.decisions : 0,
    meanApproveMs: c.approveCount ? c.approveMsTotal / c.approveCount : null,
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const field = (payload: unknown, key: string): unknown =>
  payload && typeof payload === 'object' ? (payload as Record<string, unknown>)[key] : undefined;

/** What one audit entry adds to the counts (nothing for kinds the signals don't watch). */
function countEntry(entry: AuditEntry, c: SignalCounts, requestedAt: Map<string, number>): void {
  const p = entry.payload;
  switch (entry.kind) {
    case 'decision': {
      const outcome = str(field(p, 'outcome'));
      if (outcome === 'allow' || outcome === 'deny' || outcome === 'needs_approval' || outcome === 'sanitize') {
        c.decisions += 1;
        c[outcome] += 1;
      }
      // A decision that consumed a one-time override names it (the runtime's record of its use).
      if (str(field(p, 'overrideId'))) c.overridesUsed += 1;
      return;
    }
    case 'approval_requested':
      c.approvalsRequested += 1;
      return;
    case 'approval_decided': {
      const status = str(field(p, 'status'));
      if (status === 'approved') {
        c.approved += 1;
        const asked = requestedAt.get(str(field(p, 'approvalId')) ?? '');
        if (asked !== undefined) {
          c.approveMsTotal += Math.max(0, entry.at - asked);
          c.approveCount += 1;
        }
      } else if (status === 'denied') c.denied += 1;
      return;
    }
    case 'approval_expired':
      c.expired += 1;
      return;
    case 'directive':
      if (str(field(p, 'rule')) === OPT_OUT_RULE) c.optOuts += 1;
      return;
    default:
      return;
  }
}

function addTo(groups: Record<string, SignalCounts>, key: string, entry: AuditEntry, asked: Map<string, number>) {
  groups[key] ??= emptyCounts();
  countEntry(entry, groups[key], asked);
}

/**
 * Risk signals over audit entries (in seq order): decisions by outcome, block and approval rates,
 * approvals volume and time to approve, overrides used and opt-outs, per time bucket from `from`
 * to `to`. A session counts under the agent, role and policy version it started with; entries of
 * sessions whose start is not among the entries are left out (they cannot be attributed).
 */
export function riskSignals(
  entries: readonly AuditEntry[],
  window: { from: number; to: number; bucketMs: number },
  filter: SignalFilter = {},
): RiskSignals {
  const { from, to, bucketMs } = window;
  const sessions = new Map<string, SessionFacts>();
  const requestedAt = new Map<string, number>();
  const expiredSeen = new Set<string>();
  const count = Math.max(1, Math.ceil((to - from) / bucketMs));
  const buckets = Array.from({ length: count }, () => emptyCounts());
  const totals = emptyCounts();
  const by = { agent: {}, role: {}, policyVersion: {} } as RiskSignals['by'];
  const seen = { agents: new Set<string>(), roles: new Set<string>(), policyVersions: new Set<string>() };
  for (const entry of entries) {
    if (entry.kind === 'session_started' && entry.sessionId) {
      if (!tenantVisible(filter, str(field(entry.payload, 'tenantId')))) continue;
      const facts = {
        agentId: str(field(entry.payload, 'agentId')) ?? '(unknown)',
        role: str(field(entry.payload, 'role')) ?? '(unknown)',
        policyVersion: entry.policyVersion ?? '(unknown)',
      };
      sessions.set(entry.sessionId, facts);
      seen.agents.add(facts.agentId);
      seen.roles.add(facts.role);
      seen.policyVersions.add(facts.policyVersion);
      continue;
    }
    if (entry.kind === 'approval_requested') {
      const id = str(field(entry.payload, 'id'));
      if (id) requestedAt.set(id, entry.at);
    }
    if (entry.kind === 'approval_expired') {
      // A refused late vote and the expiry sweep may both record one request's expiry: count it once.
      const id = str(field(entry.payload, 'approvalId')) ?? entry.id;
      if (expiredSeen.has(id)) continue;
      expiredSeen.add(id);
    }
    const facts = entry.sessionId ? sessions.get(entry.sessionId) : undefined;
    if (!facts || entry.at < from || entry.at >= to) continue;
    const agentOk = !filter.agentId || facts.agentId === filter.agentId;
    const roleOk = !filter.role || facts.role === filter.role;
    const versionOk = !filter.policyVersion || facts.policyVersion === filter.policyVersion;
    if (roleOk && versionOk) addTo(by.agent, facts.agentId, entry, requestedAt);
    if (agentOk && versionOk) addTo(by.role, facts.role, entry, requestedAt);
    if (agentOk && roleOk) addTo(by.policyVersion, facts.policyVersion, entry, requestedAt);
    if (!(agentOk && roleOk && versionOk)) continue;
    const bucket = buckets[Math.floor((entry.at - from) / bucketMs)];
    if (bucket) countEntry(entry, bucket, requestedAt);
    countEntry(entry, totals, requestedAt);
  }
  return {
    bucketMs,
    from,
    to,
    buckets: buckets.map((c, i) => withRates(from + i * bucketMs, c)),
    totals: withRates(from, totals),
    by,
    options: {
      agents: [...seen.agents].sort(),
      roles: [...seen.roles].sort(),
      policyVersions: [...seen.policyVersions].sort(),
    },
  };
}

/** The newest `limit` audit entries, in seq order (the console's window onto the log). */
export async function recentAuditEntries(store: Store, limit = 50_000): Promise<AuditEntry[]> {
  const max = await store.audit.maxSeq();
  if (max === 0) return [];
  return store.audit.range(Math.max(1, max - limit + 1), max);
}
