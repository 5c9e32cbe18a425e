export { ERROR_CODES, type ErrorCode, type ErrorCodeSpec } from './codes.ts';
export { describeError, GuardlineError, isGuardlineError } from './guardline-error.ts';
