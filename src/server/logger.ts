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

export const CENSOR = '[redacted]';

/** What REDACT_PATHS covers, by depth: these keys on the object and on each of its values... */
const SECRET_KEYS = ['token', 'authorization', 'text'] as const;
/** ...and these under each of its values (`*.headers.authorization`, `*.params.text`). */
const SECRET_NESTED = [
  ['headers', 'authorization'],
  ['params', 'text'],
] as const;

type Loggable = Record<string, unknown>;
const isObject = (v: unknown): v is Loggable => typeof v === 'object' && v !== null;

/** A copy of `v` with the same prototype and own properties (an Error keeps its message, stack and class). */
function copyOf<T extends object>(v: T): T {
  return Object.create(Object.getPrototypeOf(v), Object.getOwnPropertyDescriptors(v));
}

/**
 * `v` with `keys` censored where present; `v` itself when none is (the caller's object is never
 * changed). A top-level key set to undefined is left alone, as pino leaves it out of the line.
 */
function censorKeys<T extends object>(v: T, keys: readonly string[], top = false): T {
  let out: T | null = null;
  for (const key of keys) {
    if (!Object.hasOwn(v, key) || (top && (v as Loggable)[key] === undefined)) continue;
    out ??= copyOf(v);
    Object.defineProperty(out, key, { value: CENSOR, enumerable: true, writable: true, configurable: true });
  }
  return out ?? v;
}

/** One value below the log object (`*`): its secret keys, then `headers.authorization` and `params.text`. */
function censorChild<T extends object>(v: T): T {
  let out = censorKeys(v, SECRET_KEYS);
  for (const [outer, inner] of SECRET_NESTED) {
    const nested = (out as Loggable)[outer];
    if (!Object.hasOwn(out, outer) || !isObject(nested)) continue;
    const censored = censorKeys(nested, [inner]);
    if (censored === nested) continue;
    if (out === v) out = copyOf(v);
    Object.defineProperty(out, outer, { value: censored, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Censors REDACT_PATHS in a log object (or child bindings), copying only what it changes. This is
 * pino's `redact` with these paths, done by hand: pino's redaction runs every top-level value of
 * every line through each wildcard path, re-parsing the paths each time (~12 µs and ~10 KB of
 * garbage per line, one line per decision). test/server-logger.test.ts checks both agree.
 */
export function censor(obj: Loggable): Loggable {
  let out = censorKeys(obj, SECRET_KEYS, true);
  for (const key in out) {
    const value = out[key];
    if (!Object.hasOwn(out, key) || !isObject(value)) continue;
    const censored = censorChild(value);
    if (censored === value) continue;
    if (out === obj) out = { ...obj };
    out[key] = censored;
  }
  return out;
}

/**
 * Standard output, written in blocks of up to 4 KB or every 100 ms, whichever comes first (and on
 * exit). One write per line cost a pipe write and a wake-up of the reader for every decision.
 */
const stdout = (): DestinationStream => pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'guardline' },
      formatters: { log: censor, bindings: censor },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? (level === 'silent' ? undefined : stdout()),
  );
  // A child's bindings skip `formatters.bindings`: censor them on the way in (children inherit this).
  const child = logger.child;
  logger.child = function censoredChild(this: Logger, bindings, options) {
    return child.call(this, censor(bindings), options);
  } as Logger['child'];
  return logger;
}

/** The URL as logged: the `token` query parameter is censored. */
export function safeUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1[redacted]');
}
