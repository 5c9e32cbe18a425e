/**
 * Properties of transcript analysis: it never throws on any string (including a megabyte of
 * random Unicode and adversarial repetitions that would make a backtracking regex explode), it is
 * pure, its spans lie inside the text, and redaction leaves no personal data behind.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeUtterance, findPii, redactPii, toCliJson } from '../src/analysis/index.ts';
import type { Span, UtteranceFacts } from '../src/analysis/types.ts';

const speaker = fc.constantFrom('agent' as const, 'customer' as const);
const WORDS = [
  'i',
  'can',
  "can't",
  'not',
  'do',
  'give',
  'you',
  'twenty',
  'five',
  'percent',
  '%',
  'off',
  '$300',
  'fifteen',
  'hundred',
  'dollars',
  'first',
  'month',
  'free',
  'waive',
  'setup',
  'fee',
  'match',
  'their',
  'price',
  'stop',
  'calling',
  'me',
  'is',
  'this',
  'a',
  'robot',
  "i'm",
  'real',
  'person',
  'guarantee',
  'ship',
  'by',
  'friday',
  'only',
  'today',
  'if',
  'it',
  'were',
  'up',
  'to',
  'record',
  'yes',
  'no',
  'fine',
  '555',
  '123',
  '4567',
  '4242',
  'at',
  'dot',
  'com',
  'john@x.io',
  ',',
  '.',
  '?',
];
const speechy = fc.array(fc.constantFrom(...WORDS), { maxLength: 60 }).map((w) => w.join(' '));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  speechy,
);

function spans(f: UtteranceFacts): Span[] {
  return [
    ...f.concessions.map((c) => c.span),
    ...f.commitments.map((c) => c.span),
    ...f.pii.map((p) => p.span),
    ...f.riskyPhrases,
    ...Object.values(f.evidence),
  ];
}

/** A deterministic pseudo-random string of `n` code units drawn from the whole Unicode range. */
function randomUnicode(n: number, seed: number): string {
  let x = seed >>> 0;
  const parts: string[] = [];
  let length = 0;
  while (length < n) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const pick = x % 10;
    // Mix ASCII letters/digits/spaces (so tokens and numbers occur) with any code point.
    const cp = pick < 4 ? 32 + ((x >>> 8) % 95) : pick < 5 ? 32 : (x >>> 4) % 0x110000;
    const s = cp >= 0xd800 && cp <= 0xdfff ? ' ' : String.fromCodePoint(cp);
    parts.push(s);
    length += s.length;
  }
  return parts.join('');
}

describe('analysis properties', () => {
  it('never throws, and every span lies inside the text', () => {
    fc.assert(
      fc.property(anyText, speaker, (text, who) => {
        const facts = analyzeUtterance(text, who);
        for (const [a, b] of spans(facts)) {
          expect(0 <= a && a < b && b <= text.length).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('is pure: the same input gives the same output, whatever was analyzed before', () => {
    fc.assert(
      fc.property(anyText, anyText, speaker, (text, other, who) => {
        const first = JSON.stringify(analyzeUtterance(text, who));
        analyzeUtterance(other, who === 'agent' ? 'customer' : 'agent');
        expect(JSON.stringify(analyzeUtterance(text, who))).toBe(first);
      }),
      { numRuns: 500 },
    );
  });

  it('handles a megabyte of random Unicode for both speakers', () => {
    const text = randomUnicode(1 << 20, 42);
    for (const who of ['agent', 'customer'] as const) {
      const facts = analyzeUtterance(text, who);
      expect(facts.text.length).toBe(text.length);
      expect(JSON.stringify(toCliJson(facts)).length).toBeGreaterThan(0);
    }
  });

  // 256 KiB each: enough that a quadratic (backtracking) scan would run for minutes, not seconds.
  it('handles adversarial repetitions (no catastrophic backtracking)', () => {
    const patterns = [
      'a',
      '1',
      '1 ',
      '@',
      'a@',
      'aaaa.',
      "i can't do 5% off ",
      'if it were up to me ',
      'first month free ',
      'stop calling me ',
      'no setup fee ',
      'take me off ',
      'five five ',
      'x at y dot ',
      'twenty ',
      ', , ',
    ];
    for (const p of patterns) {
      const text = p.repeat(Math.ceil((1 << 18) / p.length));
      expect(() => analyzeUtterance(text, 'agent')).not.toThrow();
      expect(() => analyzeUtterance(text, 'customer')).not.toThrow();
    }
  });

  it('accepts non-string input from untyped callers without throwing', () => {
    expect(analyzeUtterance(undefined as unknown as string, 'agent').text).toBe('');
    expect(analyzeUtterance(42 as unknown as string, 'customer').text).toBe('42');
  });

  it('redaction leaves no personal data that analysis would find', () => {
    const pii = fc.constantFrom(
      'jane.doe@example.com',
      '(415) 555-0132',
      '415-555-0132',
      '+44 20 7946 0958',
      '4111 1111 1111 1111',
      '5555555555554444',
      '123-45-6789',
      'john dot smith at gmail dot com',
      'five five five one two three four five six seven',
    );
    const mixed = fc.array(fc.oneof(pii, fc.constantFrom(...WORDS)), { maxLength: 20 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(mixed, (text) => {
        const redacted = redactPii(text);
        expect(findPii(redacted)).toEqual([]);
        expect(redactPii(redacted)).toBe(redacted);
      }),
      { numRuns: 500 },
    );
  });
});
