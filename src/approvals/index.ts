export { type OverrideRefusal, type OverrideUse, refusalOf } from './override-use.ts';
export {
  ApprovalService,
  type ApprovalServiceOptions,
  awaitDecision,
  type OverrideResult,
  overrideGrantOf,
  type VoteResult,
} from './service.ts';
export { type Approver, type Verdict, type VoteStep, vote } from './transition.ts';
