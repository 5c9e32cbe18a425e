import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Paths never logged as they are: tokens and Authorization headers (censored), transcript and
 * message text (the runtime logs `redactPii(text)` at debug level only, never the raw text).
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'text',
  '*.text',
  'params.text',
  '*.params.text',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'guardline' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** The URL as logged: the `token` query parameter is censored. */
export function safeUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1[redacted]');
}
