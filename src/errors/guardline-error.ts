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

/**
 * An error as a command reports it: its code (a `GL_*` code, or a system one such as ENOENT) before
 * its message, and what to do where the error says (a GuardlineError always does).
 */
export function describeError(e: unknown): { headline: string; action?: string } {
  const error = e as { code?: unknown; message?: unknown; action?: unknown } | null;
  const code = error?.code ? `${String(error.code)}: ` : '';
  const message = typeof error?.message === 'string' ? error.message : String(e);
  const headline = `${code}${message}`;
  return typeof error?.action === 'string' && error.action ? { headline, action: error.action } : { headline };
}
