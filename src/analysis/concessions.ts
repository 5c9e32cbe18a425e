/**
 * Concessions in agent speech: percent off, amounts off, prices, free periods, waived fees and
 * price matching — each only when it is an offer (not negated, not hypothetical, not someone
 * else's number).
 */
import { WordFilter, wordMap } from './dict.ts';
import { findNumbers, firstNumberFrom, type NumberMention } from './numbers.ts';
import type { Scope } from './scope.ts';
import { type Token, tokenAtOrAfter } from './text.ts';
import type { ConcessionFact, Span } from './types.ts';

const OFFER_CUE_REACH = 5;
const OFF_CUE_REACH = 2;
const FRACTIONS = wordMap({ half: 50, quarter: 25, third: 33.33 });
const MAYBE_FRACTION = new WordFilter(FRACTIONS.keys());
const PERIOD_MONTHS = wordMap({
  month: 1,
  months: 1,
  mo: 1,
  year: 12,
  years: 12,
  yr: 12,
  week: 7 / 30,
  weeks: 7 / 30,
  day: 1 / 30,
  days: 1 / 30,
  quarter: 3,
  quarters: 3,
});
const PERIOD_FILLERS = new Set([
  'free',
  'extra',
  'additional',
  'full',
  'whole',
  'first',
  '1st',
  'bonus',
  'entire',
  'the',
  'your',
]);
/** Words that stand for one period: "a free month", "the second month free". */
const ONE = new Set([
  'a',
  'an',
  'one',
  'another',
  'first',
  '1st',
  'second',
  '2nd',
  'third',
  '3rd',
  'fourth',
  'fifth',
  'sixth',
  'last',
  'final',
  'next',
]);

export interface ConcessionResult {
  concessions: ConcessionFact[];
  risky: Span[];
}

export function findConcessions(scope: Scope, pii: readonly Span[]): ConcessionResult {
  const tokens = scope.text.tokens;
  const c = new Collector(scope);
  const numbers = findNumbers(tokens);
  for (const p of pii) c.take(tokenAtOrAfter(tokens, p[0]), tokenAtOrAfter(tokens, p[1]));
  for (const f of freePeriods(scope, numbers)) {
    c.take(f.tokStart, f.tokEnd);
    c.add(f, true);
  }
  for (const f of waivedFees(scope)) {
    if (c.isTaken(f.tokStart, f.tokEnd)) continue;
    c.take(f.tokStart, f.tokEnd);
    c.add(f, true);
  }
  for (const f of priceMatches(scope, numbers)) {
    c.take(f.tokStart, f.tokEnd);
    c.add(f, false);
  }
  for (const f of fractions(scope)) c.add(f, true);
  let previous: NumberMention | undefined;
  for (const n of numbers) {
    const before = previous;
    previous = n;
    if (c.isTaken(n.tokStart, n.tokEnd)) continue;
    const fact = classifyNumber(scope, n) ?? carriedPercent(scope, n, before);
    if (fact) c.add({ fact, tokStart: n.tokStart, tokEnd: n.tokEnd }, true);
  }
  c.out.sort(bySpanStart);
  return { concessions: c.out, risky: c.risky };
}

function bySpanStart(a: { span: Span }, b: { span: Span }): number {
  return a.span[0] - b.span[0];
}

/** Collects offers; tokens already used by PII or another fact are not read again as numbers. */
class Collector {
  readonly out: ConcessionFact[] = [];
  readonly risky: Span[] = [];
  private readonly taken: Uint8Array;

  constructor(private readonly scope: Scope) {
    this.taken = new Uint8Array(scope.text.tokens.length);
  }

  take(a: number, b: number): void {
    this.taken.fill(1, a, b);
  }

  isTaken(a: number, b: number): boolean {
    for (let i = a; i < b; i++) if (this.taken[i] === 1) return true;
    return false;
  }

  /**
   * Keeps the fact if it is our offer: a hypothetical one is recorded as risky instead; with
   * `ours`, someone else's number ("their price") is dropped (not for price matching, which names them).
   */
  add(f: Found, ours: boolean): void {
    const h = this.scope.hypothetical(f.tokStart);
    if (h) {
      this.risky.push([h[0], (this.scope.text.tokens[f.tokEnd - 1] as Token).end]);
      return;
    }
    if (ours && this.scope.notOffer(f.tokStart, f.tokEnd)) return;
    // Free periods and waived fees are phrases whose own words may carry the negation.
    const inner = f.fact.kind === 'free_period' || f.fact.kind === 'waived_fee';
    if (!this.scope.negated(f.tokStart, f.tokEnd, inner, f.cue)) this.out.push(f.fact);
  }
}

function tokenSpan(tokens: readonly Token[], a: number, b: number): Span {
  return [(tokens[a] as Token).start, (tokens[b - 1] as Token).end];
}

function classifyNumber(scope: Scope, n: NumberMention): ConcessionFact | null {
  const c = scope.phrases.concessions;
  const tokens = scope.text.tokens;
  const next = scope.token(n.tokEnd)?.w;
  if (n.percent) {
    if (n.value <= 0 || n.value > 100) return null;
    const off = scope.after(c.offCues, n.tokEnd, OFF_CUE_REACH);
    if (!off && (next === 'of' || !scope.before(c.offerCues, n.tokStart, OFFER_CUE_REACH))) return null;
    return {
      kind: 'percent_off',
      value: n.value,
      unit: 'percent',
      span: tokenSpan(tokens, n.tokStart, off ? off.tokEnd : n.tokEnd),
    };
  }
  if (n.value <= 0) return null;
  const countNoun = scope.after(c.countNouns, n.tokEnd, 0);
  if (countNoun && !n.currency) return null;
  const off = scope.after(c.offCues, n.tokEnd, n.currency || n.thousands ? OFF_CUE_REACH : 0);
  const before = scope.token(n.tokStart - 1)?.w;
  if (
    off ||
    before === 'off' ||
    ((n.currency || n.thousands) && before === 'of' && scope.before(c.offCues, n.tokStart, 2))
  ) {
    const usd = n.currency || n.thousands || n.value >= 100;
    return {
      kind: 'amount_off',
      value: n.value,
      unit: usd ? 'usd' : null,
      span: tokenSpan(tokens, n.tokStart, off ? off.tokEnd : n.tokEnd),
    };
  }
  if (n.currency || n.thousands) return { kind: 'price', value: n.value, unit: 'usd', span: [n.start, n.end] };
  // A bare number is a price only when offered ("I can do it for twelve hundred", "it's 99 a month").
  const perPeriod = scope.after(c.priceCues, n.tokEnd, 0);
  if (perPeriod || (n.value >= 50 && scope.before(c.offerCues, n.tokStart, OFFER_CUE_REACH - 1))) {
    return { kind: 'price', value: n.value, unit: 'usd', span: [n.start, n.end] };
  }
  return null;
}

/**
 * "I can't do thirty percent but I can do twenty": a bare number offered in the same sentence
 * right after a percentage is a percentage too.
 */
function carriedPercent(scope: Scope, n: NumberMention, before: NumberMention | undefined): ConcessionFact | null {
  if (!before?.percent || n.percent || n.currency || n.thousands || n.value <= 0 || n.value > 100) return null;
  const a = scope.token(before.tokStart);
  const b = scope.token(n.tokStart);
  if (!a || !b || a.sentence !== b.sentence || n.tokStart - before.tokEnd > 10) return null;
  if (scope.after(scope.phrases.concessions.countNouns, n.tokEnd, 0)) return null;
  if (!scope.before(scope.phrases.concessions.offerCues, n.tokStart, OFFER_CUE_REACH - 1)) return null;
  return { kind: 'percent_off', value: n.value, unit: 'percent', span: [n.start, n.end] };
}

interface Found {
  fact: ConcessionFact;
  tokStart: number;
  tokEnd: number;
  /** Tokens of a cue that carries its own negation ("won't charge you", "you won't pay"). */
  cue?: [number, number];
}

/** "half price", "half off", "a quarter off", "a third off the list price". */
function fractions(scope: Scope): Found[] {
  const out: Found[] = [];
  const tokens = scope.text.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const w = (tokens[i] as Token).w;
    const value = MAYBE_FRACTION.mayHave(w) ? FRACTIONS.get(w) : undefined;
    if (value === undefined) continue;
    const next = tokens[i + 1]?.w;
    const priced = next === 'price' || next === 'off' || (next === 'the' && tokens[i + 2]?.w === 'price');
    const off = scope.after(scope.phrases.concessions.offCues, i + 1, 1);
    if (!priced && !off) continue;
    const prev = tokens[i - 1]?.w;
    const start = value !== 50 && (prev === 'a' || prev === 'one') ? i - 1 : i;
    if (value !== 50 && start === i) continue;
    const end = next === 'the' ? i + 3 : off ? off.tokEnd : i + 2;
    const last = tokens[end - 1] as Token;
    out.push({
      fact: { kind: 'percent_off', value, unit: 'percent', span: [(tokens[start] as Token).start, last.end] },
      tokStart: start,
      tokEnd: end,
    });
  }
  return out;
}

/** "first month free", "two months on us", "a free month", "free for the first 3 months". */
function freePeriods(scope: Scope, numbers: readonly NumberMention[]): Found[] {
  const out: Found[] = [];
  const tokens = scope.text.tokens;
  const usedPeriods = new Set<number>();
  let byEnd: Map<number, NumberMention> | undefined;
  for (const cue of scope.matches(scope.phrases.concessions.freeCues)) {
    for (let p = Math.max(0, cue.tok - 4); p < Math.min(tokens.length, cue.tokEnd + 5); p++) {
      const unit = periodUnit((tokens[p] as Token).w);
      if (unit === undefined || usedPeriods.has(p) || !scope.sameClause(p, cue.tok)) continue;
      byEnd ??= new Map(numbers.map((n) => [n.tokEnd, n]));
      const q = quantity(tokens, byEnd, p);
      if (!q) continue;
      usedPeriods.add(p);
      const a = Math.min(q.tok, cue.tok);
      const b = Math.max(p + 1, cue.tokEnd);
      const value = Math.round(q.count * unit * 100) / 100;
      out.push({
        fact: {
          kind: 'free_period',
          value,
          unit: 'months',
          span: [(tokens[a] as Token).start, (tokens[b - 1] as Token).end],
        },
        tokStart: a,
        tokEnd: b,
        cue: [cue.tok, cue.tokEnd],
      });
      break;
    }
  }
  return out;
}

function periodUnit(w: string): number | undefined {
  return PERIOD_MONTHS.get(w.endsWith("'s") ? w.slice(0, -2) : w);
}

function quantity(
  tokens: readonly Token[],
  byEnd: ReadonlyMap<number, NumberMention>,
  period: number,
): { count: number; tok: number } | null {
  for (let t = period - 1; t >= Math.max(0, period - 4); t--) {
    const w = (tokens[t] as Token).w;
    const n = byEnd.get(t + 1);
    if (n && !n.percent && !n.currency) return { count: n.value, tok: n.tokStart };
    if (ONE.has(w)) return { count: 1, tok: t };
    if (!PERIOD_FILLERS.has(w)) return null;
  }
  return null;
}

/** "I'll waive the setup fee", "no onboarding fee", "setup fee is on us". */
function waivedFees(scope: Scope): Found[] {
  const c = scope.phrases.concessions;
  const tokens = scope.text.tokens;
  const out: Found[] = [];
  for (const fee of scope.matches(c.fees)) {
    const verb = scope.before(c.waiveVerbs, fee.tok, 5) ?? scope.after(c.waiveVerbs, fee.tokEnd, 3);
    let start = verb ? Math.min(verb.tok, fee.tok) : fee.tok;
    if (!verb) {
      const t = fee.tok - 1;
      const prev = tokens[t]?.w;
      const prev2 = tokens[t - 1]?.w;
      if (prev === 'no' || prev === 'zero' || prev === 'without') start = t;
      else if ((prev === 'any' || prev === 'a' || prev === 'the') && (prev2 === 'no' || prev2 === 'without'))
        start = t - 1;
      else continue;
    }
    const end = verb ? Math.max(verb.tokEnd, fee.tokEnd) : fee.tokEnd;
    const fact: ConcessionFact = {
      kind: 'waived_fee',
      value: null,
      unit: null,
      span: [(tokens[start] as Token).start, (tokens[end - 1] as Token).end],
    };
    out.push(
      verb
        ? { fact, tokStart: start, tokEnd: end, cue: [verb.tok, verb.tokEnd] }
        : { fact, tokStart: start, tokEnd: end },
    );
  }
  return out;
}

/** "we'll match their price", "I can beat that quote", "we price match". */
function priceMatches(scope: Scope, numbers: readonly NumberMention[]): Found[] {
  const c = scope.phrases.concessions;
  const tokens = scope.text.tokens;
  const out: Found[] = [];
  let lastSentence = -1;
  for (const m of scope.matches(c.priceMatch)) {
    const verb = (tokens[m.tok] as Token).w;
    const sentence = (tokens[m.tok] as Token).sentence;
    const isVerbForm = verb.startsWith('match') || verb.startsWith('beat');
    const object = scope.within(c.priceWords, m.tok + 1, m.tokEnd + 3);
    if ((isVerbForm && object.length === 0) || sentence === lastSentence) continue;
    lastSentence = sentence;
    let end = Math.max(m.tokEnd, object.at(-1)?.tokEnd ?? 0);
    let value: number | null = null;
    let amount: NumberMention | undefined;
    for (
      let i = firstNumberFrom(numbers, m.tokEnd);
      i < numbers.length && (numbers[i] as NumberMention).tokStart < m.tokEnd + 6;
      i++
    ) {
      const n = numbers[i] as NumberMention;
      if (n.currency || n.thousands) {
        amount = n;
        break;
      }
    }
    if (amount && scope.sameClause(m.tok, amount.tokStart)) {
      value = amount.value;
      end = amount.tokEnd;
    }
    const last = tokens[end - 1] as Token;
    out.push({
      fact: {
        kind: 'price_match',
        value,
        unit: value === null ? null : 'usd',
        span: [m.span[0], Math.max(m.span[1], last.end)],
      },
      tokStart: m.tok,
      tokEnd: end,
    });
  }
  return out;
}
