import { canonicalJson } from '../model/canonical-json.ts';
import type { Decision, Directive, Outcome } from '../model/index.ts';

export interface DecisionChange {
  proposalId: string;
  kind: string;
  from: Outcome | null;
  to: Outcome | null;
  at: number;
  /** The rule that decided the new outcome (its first rationale item), when there is one. */
  rule: string | null;
  message: string | null;
}

export interface BlockedConcession {
  proposalId: string;
  type: string;
  value: number | null;
  unit: 'percent' | 'usd' | 'months' | null;
  to: Outcome | null;
}

export interface TimeoutChange {
  rule: string;
  /** When it fired as recorded / would fire now (null: it did not / would not). */
  from: number | null;
  to: number | null;
  /** Positive: later; negative: earlier; null when one side did not fire. */
  deltaSeconds: number | null;
}

export interface SessionDiff {
  sessionId: string;
  decisions: number;
  replayed: number;
  /** Decisions whose outcome or sanitized form differs, or that one side lacks. */
  changed: number;
  /** Every decision and directive reproduced byte for byte (canonical JSON). */
  identical: boolean;
  flips: DecisionChange[];
  blockedConcessions: BlockedConcession[];
  timeouts: TimeoutChange[];
}

const UNITS: Record<string, BlockedConcession['unit']> = {
  percent_off: 'percent',
  amount_off: 'usd',
  price: 'usd',
  price_match: 'usd',
  free_period: 'months',
};

/** Pairs two decision lists by proposal id and occurrence: the k-th decision on proposal P with the other side's k-th. */
function pairs(a: readonly Decision[], b: readonly Decision[]): [Decision | null, Decision | null][] {
  const key = (list: readonly Decision[]) => {
    const seen = new Map<string, number>();
    return list.map((d) => {
      const n = seen.get(d.proposalId) ?? 0;
      seen.set(d.proposalId, n + 1);
      return `${d.proposalId}#${n}`;
    });
  };
  const right = new Map(key(b).map((k, i) => [k, b[i] as Decision]));
  const out: [Decision | null, Decision | null][] = [];
  key(a).forEach((k, i) => {
    out.push([a[i] as Decision, right.get(k) ?? null]);
    right.delete(k);
  });
  for (const d of right.values()) out.push([null, d]);
  return out;
}

function timeoutTimes(directives: readonly Directive[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of directives)
    if ((d.rule.startsWith('timeout.') || d.rule.startsWith('transcription.')) && !out.has(d.rule))
      out.set(d.rule, d.at);
  return out;
}

const isBlocked = (o: Outcome | null) => o === null || o === 'deny' || o === 'needs_approval';

/**
 * What changes between a recorded run (or the active policy) and a replay (or the shadow): outcome
 * flips, concessions that would have been blocked with their amounts, timeouts firing earlier or
 * later. `params` gives each proposal's parameters (from the recorded inputs).
 */
export function compareRuns(
  sessionId: string,
  recorded: { decisions: readonly Decision[]; directives: readonly Directive[] },
  replayed: { decisions: readonly Decision[]; directives: readonly Directive[] },
  params: ReadonlyMap<string, unknown>,
): SessionDiff {
  const flips: DecisionChange[] = [];
  const blockedConcessions: BlockedConcession[] = [];
  let changed = 0;
  for (const [was, now] of pairs(recorded.decisions, replayed.decisions)) {
    const sameOutcome = was?.outcome === now?.outcome;
    const sameForm = canonicalJson(was?.sanitized ?? null) === canonicalJson(now?.sanitized ?? null);
    if (sameOutcome && sameForm) continue;
    changed++;
    const d = (now ?? was) as Decision;
    if (!sameOutcome) {
      flips.push({
        proposalId: d.proposalId,
        kind: d.kind,
        from: was?.outcome ?? null,
        to: now?.outcome ?? null,
        at: d.at,
        rule: now?.rationale[0]?.rule ?? null,
        message: now?.rationale[0]?.message ?? null,
      });
    }
    if (d.kind === 'concession' && was && !isBlocked(was.outcome) && isBlocked(now?.outcome ?? null)) {
      const p = (params.get(d.proposalId) ?? {}) as { type?: string; value?: number | null };
      blockedConcessions.push({
        proposalId: d.proposalId,
        type: p.type ?? 'unknown',
        value: typeof p.value === 'number' ? p.value : null,
        unit: UNITS[p.type ?? ''] ?? null,
        to: now?.outcome ?? null,
      });
    }
  }
  const before = timeoutTimes(recorded.directives);
  const after = timeoutTimes(replayed.directives);
  const timeouts: TimeoutChange[] = [];
  for (const rule of new Set([...before.keys(), ...after.keys()])) {
    const from = before.get(rule) ?? null;
    const to = after.get(rule) ?? null;
    if (from === to) continue;
    timeouts.push({ rule, from, to, deltaSeconds: from !== null && to !== null ? (to - from) / 1000 : null });
  }
  return {
    sessionId,
    decisions: recorded.decisions.length,
    replayed: replayed.decisions.length,
    changed,
    identical:
      canonicalJson(recorded.decisions) === canonicalJson(replayed.decisions) &&
      canonicalJson(recorded.directives) === canonicalJson(replayed.directives),
    flips,
    blockedConcessions,
    timeouts,
  };
}

/** Each proposal's parameters, by proposal id, from a session's inputs. */
export function proposalParams(inputs: readonly { type: string; proposal?: unknown }[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const i of inputs) {
    if (i.type !== 'propose') continue;
    const p = i.proposal as { id?: unknown; params?: unknown } | null;
    if (p && typeof p.id === 'string') out.set(p.id, p.params);
  }
  return out;
}

export interface ReplayTotals {
  sessions: number;
  decisions: number;
  changed: number;
  identical: number;
  flips: number;
  blockedConcessions: number;
  blockedPercent: number;
  blockedUsd: number;
  blockedMonths: number;
  timeoutsEarlier: number;
  timeoutsLater: number;
  timeoutsAppeared: number;
  timeoutsGone: number;
  flipsByKind: Record<string, number>;
}

export function totalsOf(diffs: readonly SessionDiff[]): ReplayTotals {
  const t: ReplayTotals = {
    sessions: diffs.length,
    decisions: 0,
    changed: 0,
    identical: 0,
    flips: 0,
    blockedConcessions: 0,
    blockedPercent: 0,
    blockedUsd: 0,
    blockedMonths: 0,
    timeoutsEarlier: 0,
    timeoutsLater: 0,
    timeoutsAppeared: 0,
    timeoutsGone: 0,
    flipsByKind: {},
  };
  for (const d of diffs) {
    t.decisions += d.decisions;
    t.changed += d.changed;
    if (d.identical) t.identical++;
    t.flips += d.flips.length;
    for (const f of d.flips) {
      const k = `${f.from ?? 'none'}→${f.to ?? 'none'}`;
      t.flipsByKind[k] = (t.flipsByKind[k] ?? 0) + 1;
    }
    for (const c of d.blockedConcessions) {
      t.blockedConcessions++;
      if (c.unit === 'percent') t.blockedPercent += c.value ?? 0;
      if (c.unit === 'usd') t.blockedUsd += c.value ?? 0;
      if (c.unit === 'months') t.blockedMonths += c.value ?? 0;
    }
    for (const x of d.timeouts) {
      if (x.deltaSeconds === null) {
        if (x.to === null) t.timeoutsGone++;
        else t.timeoutsAppeared++;
      } else if (x.deltaSeconds < 0) t.timeoutsEarlier++;
      else t.timeoutsLater++;
    }
  }
  return t;
}
