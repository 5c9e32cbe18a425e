export {
  type BudgetLimits,
  type BudgetOutcome,
  type BudgetUse,
  budgetDay,
  chargeDaily,
  concessionUse,
  type DailyCaps,
} from './daily.ts';
