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
   * names the first charge that would have exceeded its cap. Once committed, the charge is
   * announced (`Store.onBudgetSpent`).
   */
  charge(charges: BudgetCharge[]): Promise<{ ok: boolean; totals: number[]; refused?: BudgetCharge }>;
  get(scope: string, metric: BudgetMetric, day: string): Promise<number>;
}
