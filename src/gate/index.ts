export { checkCallingWindow, isValidTimezone } from './calling-window.ts';
export { type DecideInput, type DecideResult, decide } from './decide.ts';
export { paramsHash } from './override.ts';
export type { Analyzer, SessionView, Verdict } from './types.ts';
