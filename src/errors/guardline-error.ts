import { ERROR_CODES, type ErrorCode } from './codes.ts';

/** An error with a stable `GL_*` code, a message and what to do about it. */
export class GuardlineError extends Error {
  readonly code: ErrorCode;
  readonly action: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, detail?: string, details?: unknown) {
    const spec = ERROR_CODES[code];
    super(detail ? `${spec.message} ${detail}` : spec.message);
    this.name = 'GuardlineError';
    this.code = code;
    this.action = spec.action;
    this.status = spec.status;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; action: string; details?: unknown } {
    return {
      code: this.code,
      message: this.message,
      action: this.action,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isGuardlineError(err: unknown): err is GuardlineError {
  return err instanceof GuardlineError;
}
