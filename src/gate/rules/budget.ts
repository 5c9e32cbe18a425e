import type { SessionView, Verdict } from '../types.ts';
import { deny, extended, reason } from '../verdict.ts';

/**
 * Cross-session daily budgets (per agent and per tenant, counted in the store): a verdict that
 * would grant more concession value than is left today, or request an approval when none are
 * left, is decided as the policy says (`budgets.on_exceed`), with the budget in the rationale.
 * Overrides are a human's decision and are not second-guessed here.
 */
export function applyBudget(view: SessionView, verdict: Verdict): Verdict {
  const left = view.budget;
  if (!left || verdict.overrideUsed) return verdict;
  const onExceed = view.policy.policy.budgets.on_exceed;
  if (verdict.outcome === 'allow' || verdict.outcome === 'sanitize') {
    const granted = verdict.concessions ?? [];
    const percent = granted.filter((g) => g.unit === 'percent').reduce((t, g) => t + (g.value ?? 0), 0);
    const usd = granted.filter((g) => g.unit === 'usd').reduce((t, g) => t + (g.value ?? 0), 0);
    const over =
      left.concession_percent_points !== null && percent > left.concession_percent_points
        ? {
            metric: 'concession_percent_points',
            asked: percent,
            remaining: left.concession_percent_points,
            unit: 'percent points',
          }
        : left.concession_usd !== null && usd > left.concession_usd
          ? { metric: 'concession_usd', asked: usd, remaining: left.concession_usd, unit: 'USD' }
          : null;
    if (!over) return verdict;
    const item = reason(
      'budget.daily_cap',
      `Today's concession budget has ${over.remaining} ${over.unit} left across this agent's and tenant's calls; this would grant ${over.asked}.`,
      over,
    );
    if (onExceed === 'deny' || (left.approvals !== null && left.approvals <= 0)) return deny(item);
    return {
      outcome: 'needs_approval',
      rationale: [item, ...verdict.rationale],
      bound: extended(over, { concessions: granted }),
    };
  }
  if (verdict.outcome === 'needs_approval' && left.approvals !== null && left.approvals <= 0) {
    return deny(
      reason(
        'budget.approvals',
        'No approval requests are left today for this agent or tenant; this is denied instead.',
        { remaining: 0 },
      ),
    );
  }
  return verdict;
}
