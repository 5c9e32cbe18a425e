import type { BudgetCharge, BudgetMetric, Store } from '../store/types.ts';

/** Daily caps by metric; null (or absent) means no cap. Matches the policy's `BudgetCaps`. */
export type DailyCaps = Partial<Record<BudgetMetric, number | null>>;

export interface BudgetLimits {
  per_agent_daily: DailyCaps;
  per_tenant_daily: DailyCaps;
}

export interface BudgetUse {
  tenantId: string;
  agentId: string;
  metric: BudgetMetric;
  amount: number;
  at: number;
  /** The day boundary: the tenant's IANA zone (default UTC). */
  timeZone?: string;
}

export type BudgetOutcome =
  | { ok: true; day: string; totals: { agent: number; tenant: number } }
  | {
      ok: false;
      day: string;
      refused: { scope: 'agent' | 'tenant'; metric: BudgetMetric; cap: number; total: number };
    };

/** A counter with no cap still counts (for reporting); this stands in for "no cap". */
const UNCAPPED = Number.MAX_VALUE;

/** `YYYY-MM-DD` of `at` in `timeZone`. */
export function budgetDay(at: number, timeZone = 'UTC'): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** Building a DateTimeFormat costs far more than using one: one per zone. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Counts `amount` against the agent's and the tenant's daily caps, atomically in the store (so
 * the caps hold across sessions and nodes): both counters move, or neither does.
 */
export async function chargeDaily(
  store: Pick<Store, 'budgets'>,
  limits: BudgetLimits,
  use: BudgetUse,
): Promise<BudgetOutcome> {
  const day = budgetDay(use.at, use.timeZone);
  const agentCap = limits.per_agent_daily[use.metric] ?? null;
  const tenantCap = limits.per_tenant_daily[use.metric] ?? null;
  const charges: BudgetCharge[] = [
    { scope: `agent:${use.agentId}`, metric: use.metric, day, amount: use.amount, cap: agentCap ?? UNCAPPED },
    { scope: `tenant:${use.tenantId}`, metric: use.metric, day, amount: use.amount, cap: tenantCap ?? UNCAPPED },
  ];
  const result = await store.budgets.charge(charges);
  if (result.ok) return { ok: true, day, totals: { agent: result.totals[0] ?? 0, tenant: result.totals[1] ?? 0 } };
  const agentRefused = result.refused?.scope === charges[0]?.scope;
  return {
    ok: false,
    day,
    refused: {
      scope: agentRefused ? 'agent' : 'tenant',
      metric: use.metric,
      cap: (agentRefused ? agentCap : tenantCap) ?? UNCAPPED,
      total: (agentRefused ? result.totals[0] : result.totals[1]) ?? 0,
    },
  };
}

/** What a granted concession counts against: percent points for a percent off, dollars for money off. */
export function concessionUse(params: {
  type: string;
  value: number | null;
}): { metric: BudgetMetric; amount: number } | null {
  if (params.value === null) return null;
  if (params.type === 'percent_off') return { metric: 'concession_percent_points', amount: params.value };
  if (params.type === 'amount_off') return { metric: 'concession_usd', amount: params.value };
  return null;
}
