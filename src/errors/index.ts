export { ERROR_CODES, type ErrorCode, type ErrorCodeSpec } from './codes.ts';
export { GuardlineError, isGuardlineError } from './guardline-error.ts';
