/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped
 * (as JSON.stringify does). The same value always yields the same bytes, so its hash is stable.
 * (Written as plain concatenation: it runs for every audit entry, on the decision hot path.)
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'number':
      // For a finite number JSON.stringify and String agree (both use Number::toString).
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt is not JSON');
    default:
      return 'null';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v = value[i];
      out += v === undefined || typeof v === 'function' || typeof v === 'symbol' ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(Object.keys(record));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += quotedKey(key);
    out += ':';
    out += canonicalJson(v);
  }
  return `${out}}`;
}

/** A string as JSON. Most need no escaping: they are only wrapped in quotes. */
function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}
/** What JSON.stringify escapes: quote, backslash, control characters; surrogates are left to it. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Entries repeat the same few object shapes (a decision, its rationale, its facts), whose keys
 * come in the same unsorted order every time: their sorted order is remembered, by first key,
 * rather than sorted again for every entry.
 */
const sortedByShape = new Map<string, { keys: string[]; sorted: string[] }[]>();
let shapes = 0;
const MAX_SHAPES = 1000;

function sortedKeys(keys: string[]): string[] {
  if (isSorted(keys)) return keys;
  const first = keys[0] as string;
  const known = sortedByShape.get(first);
  if (known) for (const shape of known) if (sameKeys(shape.keys, keys)) return shape.sorted;
  const sorted = [...keys].sort();
  if (shapes < MAX_SHAPES) {
    shapes++;
    if (known) known.push({ keys, sorted });
    else sortedByShape.set(first, [{ keys, sorted }]);
  }
  return sorted;
}

// Keys repeat across entries (the same few shapes): quote each once.
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let q = quotedKeys.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, q);
  }
  return q;
}
