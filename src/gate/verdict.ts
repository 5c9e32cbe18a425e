import { OUTCOME_SEVERITY, type RationaleItem } from '../model/decision.ts';
import type { Verdict } from './types.ts';

/**
 * `{ ...base, ...extra }` written as loops. The gate builds facts and verdicts from objects made at
 * many call sites; V8 runs object spread of such objects through a slow generic path, which was a
 * large part of a decision's cost.
 */
export function extended<A extends object, B extends object>(base: A, extra: B): Omit<A, keyof B> & B {
  const out: Record<string, unknown> = {};
  for (const key in base) out[key] = base[key];
  for (const key in extra) out[key] = extra[key];
  return out as Omit<A, keyof B> & B;
}

export function reason(
  rule: string,
  message: string,
  facts: Record<string, unknown> = {},
  evidence?: RationaleItem['evidence'],
): RationaleItem {
  return evidence ? { rule, facts, message, evidence } : { rule, facts, message };
}

// Built without object spread: on V8, `{ ...extra }` from many call sites goes megamorphic and
// was one of the gate's larger costs per decision.
export function allow(item: RationaleItem, extra?: Partial<Verdict>): Verdict {
  const v: Verdict = { outcome: 'allow', rationale: [item] };
  return extra ? Object.assign(v, extra) : v;
}
export function deny(item: RationaleItem, extra?: Partial<Verdict>): Verdict {
  const v: Verdict = { outcome: 'deny', rationale: [item] };
  return extra ? Object.assign(v, extra) : v;
}
export const hold = (item: RationaleItem, bound: Record<string, unknown>): Verdict => ({
  outcome: 'needs_approval',
  rationale: [item],
  bound,
});

/**
 * Combines several verdicts: the most severe outcome wins; rationale is kept from every verdict
 * of that outcome (the others are not what decided it). Granted concessions count only when the
 * combined outcome lets the act go ahead.
 */
export function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) throw new Error('combine() needs at least one verdict');
  let worst = verdicts[0] as Verdict;
  for (const v of verdicts) if (OUTCOME_SEVERITY[v.outcome] > OUTCOME_SEVERITY[worst.outcome]) worst = v;
  const deciding = verdicts.filter((v) => v.outcome === worst.outcome);
  const goesAhead = worst.outcome === 'allow' || worst.outcome === 'sanitize';
  // Loops rather than flatMap, which V8 runs several times slower on these short arrays.
  const rationale: RationaleItem[] = [];
  for (const v of deciding) for (const item of v.rationale) rationale.push(item);
  const concessions: NonNullable<Verdict['concessions']> = [];
  if (goesAhead) for (const v of verdicts) if (v.concessions) for (const c of v.concessions) concessions.push(c);
  const merged: Verdict = { outcome: worst.outcome, rationale, concessions };
  const sanitized = deciding.find((v) => v.sanitized)?.sanitized;
  if (sanitized) merged.sanitized = sanitized;
  const bound = deciding.find((v) => v.bound)?.bound;
  if (bound) merged.bound = bound;
  const overrideUsed = goesAhead ? verdicts.find((v) => v.overrideUsed)?.overrideUsed : undefined;
  if (overrideUsed) merged.overrideUsed = overrideUsed;
  const code = deciding.find((v) => v.code)?.code;
  if (code) merged.code = code;
  return merged;
}
