/**
 * Every error Guardline reports carries one of these stable codes. This table is the single
 * source: the README's error table is generated from it (`npm run docs:errors`) and a test keeps
 * the two in step. Add new codes here, grouped by area, with the message a user reads and what
 * they should do about it.
 */
export interface ErrorCodeSpec {
  /** What went wrong, in words a user reads. */
  readonly message: string;
  /** What to do about it. */
  readonly action: string;
  /** HTTP status when the error answers a request. */
  readonly status: number;
}

export const ERROR_CODES = {
  // --- configuration and policy -----------------------------------------------------------
  GL_CONFIG_INVALID: {
    message: 'The configuration (environment variables) is invalid.',
    action: 'Fix the variables named in the error; the README lists each with its default.',
    status: 500,
  },
  GL_POLICY_INVALID: {
    message: 'The policy file does not match the policy schema.',
    action: 'Run `guardline policy check <file>` and fix each error it lists by path and line.',
    status: 422,
  },
  GL_POLICY_UNREADABLE: {
    message: 'The policy file could not be read or is not YAML.',
    action: 'Check the path and that the file is valid YAML.',
    status: 422,
  },
  // --- proposals and the gate -------------------------------------------------------------
  GL_PROPOSAL_INVALID: {
    message: 'The proposal is malformed or of an unknown kind; it was denied.',
    action: 'Send a proposal of a kind listed in docs/protocol.md with the parameters it requires.',
    status: 400,
  },
  GL_GATE_INTERNAL: {
    message: 'Guardline could not decide this proposal and denied it (fail closed).',
    action: 'Retry once; if it persists, report the decision id from the logs.',
    status: 500,
  },
  GL_SESSION_ENDED: {
    message: 'The session has ended; nothing more can be proposed in it.',
    action: 'Open a new session with `hello` for a new call or thread.',
    status: 409,
  },
  GL_TRANSCRIPTION_LOST: {
    message: 'Transcription has been lost past its grace period; proposals that need understanding are held.',
    action: 'Wait for transcription to recover (the session is told with a directive), or end the call.',
    status: 503,
  },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;
