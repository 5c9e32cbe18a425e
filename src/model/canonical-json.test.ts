import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

/**
 * The definition, written the obvious way: keys sorted by code unit at every depth (not in the
 * engine's order, which puts integer-like keys first), members JSON.stringify drops dropped, every
 * other value written by JSON.stringify.
 */
function reference(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return reference((value as { toJSON(): unknown }).toJSON());
  const dropped = (x: unknown) => x === undefined || typeof x === 'function' || typeof x === 'symbol';
  if (Array.isArray(value)) return `[${value.map((x) => (dropped(x) ? 'null' : reference(x))).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(record).sort()) {
    if (!dropped(record[k])) parts.push(`${JSON.stringify(k)}:${reference(record[k])}`);
  }
  return `{${parts.join(',')}}`;
}

const awkwardString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', 'a\udc00b', '😀', 'é'),
);
const key = fc.oneof(awkwardString, fc.constantFrom('10', '9', '0', '-1', '__proto__', 'constructor', 'a', 'b'));
const leaf = fc.oneof(
  awkwardString,
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, 1e21, 5e-7, true, false, null, undefined),
  fc.constant(() => 1),
  fc.constant(new Date(Date.UTC(2026, 10, 22))),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value')), fc.dictionary(key, tie('value'))),
}));

describe('canonicalJson', () => {
  it('writes exactly what the definition says, for any JSON-like value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the same shape the same way again, whatever order its keys were added in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(key, { minLength: 2, maxLength: 8 }), fc.integer(), (keys, n) => {
        const forward = Object.fromEntries(keys.map((k, i) => [k, n + i]));
        const backward = Object.fromEntries([...keys].reverse().map((k) => [k, n + keys.indexOf(k)]));
        expect(canonicalJson(forward)).toBe(reference(forward));
        expect(canonicalJson(backward)).toBe(canonicalJson(forward));
        expect(canonicalJson(forward)).toBe(canonicalJson(forward)); // from the remembered order
      }),
    );
  });
});
