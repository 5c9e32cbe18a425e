import { OUTCOME_SEVERITY, type RationaleItem } from '../model/decision.ts';
import type { Verdict } from './types.ts';

export function reason(
  rule: string,
  message: string,
  facts: Record<string, unknown> = {},
  evidence?: RationaleItem['evidence'],
): RationaleItem {
  return evidence ? { rule, facts, message, evidence } : { rule, facts, message };
}

export const allow = (item: RationaleItem, extra: Partial<Verdict> = {}): Verdict => ({
  outcome: 'allow',
  rationale: [item],
  ...extra,
});
export const deny = (item: RationaleItem, extra: Partial<Verdict> = {}): Verdict => ({
  outcome: 'deny',
  rationale: [item],
  ...extra,
});
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
  const merged: Verdict = {
    outcome: worst.outcome,
    rationale: deciding.flatMap((v) => v.rationale),
    concessions: goesAhead ? verdicts.flatMap((v) => v.concessions ?? []) : [],
  };
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
