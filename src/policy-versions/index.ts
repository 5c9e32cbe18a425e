export { diffPolicies, formatRuleChanges, type RuleChange } from './diff.ts';
export {
  approvePublication,
  type PublishRequest,
  type PublishResult,
  publishPolicy,
  rollbackPolicy,
} from './publish.ts';
export { syncActivePolicy } from './reload.ts';
