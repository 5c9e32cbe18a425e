/**
 * Numbers as speech-to-text writes them: digits ("$1,499", "1.5k", "20%", "10pct"), words
 * ("twenty-five", "fifteen hundred", "one point five k", "three hundred and fifty"), mixed
 * ("2 grand", "15 hundred"), with the unit that follows ("percent", "per cent", "dollars", "bucks").
 */
import { WordFilter, wordMap } from './dict.ts';
import type { Token } from './text.ts';

export interface NumberMention {
  /** Token range [tokStart, tokEnd) including the unit words. */
  tokStart: number;
  tokEnd: number;
  start: number;
  end: number;
  value: number;
  percent: boolean;
  currency: boolean;
  /** Written with a "k"/"grand" suffix: money-like even without a currency sign, unless a count noun follows. */
  thousands: boolean;
}

const ONES = wordMap({
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
});
const TEENS = wordMap({
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
});
const TENS = wordMap({
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
});
const SCALES = wordMap({
  thousand: 1_000,
  k: 1_000,
  grand: 1_000,
  million: 1_000_000,
  mil: 1_000_000,
  m: 1_000_000,
});

/** Words a number can start with, besides digits and "$" (one set: one lookup per token). */
const START_WORDS = new Set([...ONES.keys(), ...TEENS.keys(), ...TENS.keys(), 'a', 'an']);
const MAYBE_START_WORD = new WordFilter(START_WORDS);

const DIGITS = /^(\$)?(\d{1,3}(?:,\d{3})+|\d{1,12})(?:\.(\d{1,6}))?(k|m|%|pct|percent|bucks|grand|usd|dollars?)?$/;

type Last = 'start' | 'ones' | 'teen' | 'tens' | 'hundred' | 'scale' | 'digits';

/** All number mentions in order, non-overlapping. */
export function findNumbers(tokens: readonly Token[]): NumberMention[] {
  const out: NumberMention[] = [];
  let i = 0;
  while (i < tokens.length) {
    // Most tokens cannot start a number: ruled out here, without the call.
    const m = canStartNumber((tokens[i] as Token).w) ? parseAt(tokens, i) : null;
    if (m) {
      out.push(m);
      i = m.tokEnd;
    } else i++;
  }
  return out;
}

function word(tokens: readonly Token[], i: number): string | undefined {
  return tokens[i]?.w;
}

/** Whether a number can start with this token: digits, "$", a number word, or "a"/"an" ("a hundred"). */
function canStartNumber(w: string): boolean {
  const c = w.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 36) return true;
  return MAYBE_START_WORD.mayHave(w) && START_WORDS.has(w);
}

/** The number starting at token i, which `canStartNumber`. */
function parseAt(tokens: readonly Token[], i: number): NumberMention | null {
  let j = i;
  let currency = false;
  if (word(tokens, j) === '$' && tokens[j + 1] && /^\d/.test(word(tokens, j + 1) as string)) {
    currency = true;
    j++;
  }
  const first = word(tokens, j);
  if (first === undefined) return null;
  let total = 0;
  let current = 0;
  let last: Last = 'start';
  let percent = false;
  let thousands = false;
  const c0 = first.charCodeAt(0);
  const digits = (c0 >= 48 && c0 <= 57) || c0 === 36 ? DIGITS.exec(first) : null;
  if (digits) {
    if (digits[1]) currency = true;
    current = Number((digits[2] as string).replace(/,/g, '') + (digits[3] ? `.${digits[3]}` : ''));
    const suffix = digits[4];
    if (suffix === 'k' || suffix === 'grand') {
      current *= 1000;
      thousands = true;
    } else if (suffix === 'm') current *= 1_000_000;
    else if (suffix === '%' || suffix === 'pct' || suffix === 'percent') percent = true;
    else if (suffix) currency = true;
    last = suffix ? 'scale' : 'digits';
    j++;
  } else if (
    (first === 'a' || first === 'an') &&
    (word(tokens, j + 1) === 'hundred' || word(tokens, j + 1) === 'thousand' || word(tokens, j + 1) === 'grand')
  ) {
    current = 1;
    last = 'ones';
    j++;
  } else if (first === 'a' || first === 'an') return null; // no number word goes on from a bare "a"
  for (;;) {
    const w = word(tokens, j);
    if (w === undefined || percent) break;
    if (
      ONES.has(w) &&
      (last === 'start' || last === 'tens' || last === 'hundred' || last === 'scale') &&
      !(last === 'scale' && thousands)
    ) {
      if (w === 'zero' && last !== 'start') break;
      current += ONES.get(w) as number;
      last = 'ones';
    } else if (TEENS.has(w) && (last === 'start' || last === 'hundred' || (last === 'scale' && !thousands))) {
      current += TEENS.get(w) as number;
      last = 'teen';
    } else if (TENS.has(w) && (last === 'start' || last === 'hundred' || (last === 'scale' && !thousands))) {
      current += TENS.get(w) as number;
      last = 'tens';
    } else if (
      w === 'hundred' &&
      (last === 'ones' || last === 'teen' || last === 'tens' || last === 'digits') &&
      current < 100
    ) {
      current *= 100;
      last = 'hundred';
    } else if (
      SCALES.has(w) &&
      w !== 'm' &&
      (last === 'ones' || last === 'teen' || last === 'tens' || last === 'hundred' || last === 'digits')
    ) {
      if (w === 'k' || w === 'grand') thousands = true;
      total += current * (SCALES.get(w) as number);
      current = 0;
      last = 'scale';
    } else if (w === 'and' && (last === 'hundred' || last === 'scale') && isSmallNumberWord(word(tokens, j + 1))) {
      // "one hundred and fifty"
    } else if (
      w === 'and' &&
      word(tokens, j + 1) === 'a' &&
      word(tokens, j + 2) === 'half' &&
      last !== 'scale' &&
      current % 1 === 0
    ) {
      // "seven and a half"
      current += 0.5;
      j += 3;
      last = 'ones';
      continue;
    } else if (
      w === 'point' &&
      last !== 'start' &&
      last !== 'hundred' &&
      last !== 'scale' &&
      word(tokens, j + 1) !== undefined &&
      ONES.has(word(tokens, j + 1) as string)
    ) {
      let scale = 0.1;
      j++;
      while (j < tokens.length && ONES.has(word(tokens, j) as string) && scale > 1e-4) {
        current += (ONES.get(word(tokens, j) as string) as number) * scale;
        scale /= 10;
        j++;
      }
      last = 'ones';
      continue;
    } else break;
    j++;
  }
  if (last === 'start') return null;
  // Prices said in pairs: "seven fifty" (750), "nineteen ninety nine" (1999).
  if (
    !digits &&
    total === 0 &&
    current >= 1 &&
    current < 100 &&
    current % 1 === 0 &&
    last !== 'hundred' &&
    last !== 'scale'
  ) {
    const pair = twoDigitWordsAt(tokens, j);
    if (pair) {
      current = current * 100 + pair.value;
      j = pair.end;
    }
  }
  const value = round(total + current);
  // The unit after the number.
  const unit = word(tokens, j);
  if (!percent && (unit === 'percent' || unit === 'pct' || unit === '%' || unit === 'percentage')) {
    percent = true;
    j++;
  } else if (!percent && unit === 'per' && word(tokens, j + 1) === 'cent') {
    percent = true;
    j += 2;
  } else if (
    !percent &&
    (unit === 'dollars' || unit === 'dollar' || unit === 'bucks' || unit === 'usd' || unit === 'grand')
  ) {
    currency = true;
    j++;
  }
  const startTok = tokens[i] as Token;
  const endTok = tokens[j - 1] as Token;
  return { tokStart: i, tokEnd: j, start: startTok.start, end: endTok.end, value, percent, currency, thousands };
}

/** A number 10–99 said in words at token j ("fifty", "ninety nine", "fifteen"). */
function twoDigitWordsAt(tokens: readonly Token[], j: number): { value: number; end: number } | null {
  const w = word(tokens, j);
  if (w === undefined) return null;
  const teen = TEENS.get(w);
  if (teen !== undefined) return { value: teen, end: j + 1 };
  const tens = TENS.get(w);
  if (tens === undefined) return null;
  const ones = ONES.get(word(tokens, j + 1) ?? '');
  return ones !== undefined && ones > 0 ? { value: tens + ones, end: j + 2 } : { value: tens, end: j + 1 };
}

function isSmallNumberWord(w: string | undefined): boolean {
  return w !== undefined && (ONES.has(w) || TEENS.has(w) || TENS.has(w) || /^\d{1,2}$/.test(w));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Index of the first mention starting at or after token `tok` (mentions are in order). */
export function firstNumberFrom(numbers: readonly NumberMention[], tok: number): number {
  let lo = 0;
  let hi = numbers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((numbers[mid] as NumberMention).tokStart < tok) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
