export type { Policy, RolePolicy } from '../../policies/schema.ts';
export {
  DEFAULT_POLICY_PATH,
  formatIssues,
  type LoadedPolicy,
  loadPolicyFile,
  type PolicyIssue,
  parsePolicy,
  policyHash,
  versionOf,
} from './load.ts';
