/**
 * Personal data in an utterance, for `sanitize` and log redaction: email addresses (written or
 * spoken: "john dot smith at gmail dot com"), phone numbers, card numbers (Luhn-checked) and US
 * Social Security numbers — in digits or digit words ("five five five one two three ...").
 * Everything scans in linear time; no regex here has an unbounded quantifier.
 */
import { WordFilter, wordMap } from './dict.ts';
import { readText, type Text, type Token } from './text.ts';
import type { PiiFact, PiiKind, UtteranceFacts } from './types.ts';

const LOCAL = /[a-z0-9._%+-]/;
const DOMAIN = /[a-z0-9.-]/;
const SPOKEN_EMAIL =
  /(?<![\p{L}\p{N}])[a-z0-9]{1,30}(?:(?: dot | underscore | dash |[._-])[a-z0-9]{1,30}){0,3} at [a-z0-9]{1,30}(?:(?: dot |\.)[a-z0-9]{1,30}){0,2}(?: dot |\.)(?:com|net|org|io|co|edu|gov|us|ai|uk|ca|de|biz|info|me)(?![\p{L}\p{N}])/gu;
const DIGIT_WORDS = wordMap({
  zero: '0',
  oh: '0',
  o: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
});
const MAYBE_DIGIT_WORD = new WordFilter(DIGIT_WORDS.keys());
const SSN_CUE = /\b(?:social|ssn|social security|ss number)\b/;
/** The redaction label, whole or cut at the start of the cue window. */
const LABEL_SSN = /\[?ssn\]/g;

/** Personal data in `original`; `read` is its already normalized and tokenized form, when the caller has it. */
export function findPii(original: string, read: Text = readText(original)): PiiFact[] {
  const norm = read.norm;
  const found: PiiFact[] = [...writtenEmails(norm), ...spokenEmails(norm)].sort(bySpanStart);
  found.push(...digitRuns(norm, read.tokens, found));
  found.sort(bySpanStart);
  return found;
}

function writtenEmails(norm: string): PiiFact[] {
  const out: PiiFact[] = [];
  let from = 0;
  for (let at = norm.indexOf('@'); at !== -1; at = norm.indexOf('@', from)) {
    let s = at;
    while (s > 0 && at - s < 64 && LOCAL.test(norm[s - 1] as string)) s--;
    let e = at + 1;
    while (e < norm.length && e - at < 255 && DOMAIN.test(norm[e] as string)) e++;
    while (e > at + 1 && (norm[e - 1] === '.' || norm[e - 1] === '-')) e--;
    const domain = norm.slice(at + 1, e);
    from = Math.max(e, at + 1);
    if (s < at && /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}$/.test(domain))
      out.push({ kind: 'email', span: [s, e] });
  }
  return out;
}

/** How far a spoken address reaches before its " at " (four 30-character parts and their
 * separators) and after it (three 30-character parts, separators and the top-level domain). */
const SPOKEN_BEFORE = 160;
const SPOKEN_AFTER = 120;
const ALNUM = /[\p{L}\p{N}]/u;

/**
 * Spoken addresses, searched only in a window around each " at ": scanning every position of a
 * long utterance for the rare address was most of the cost of finding them. Windows are cut
 * between words, so the regex's word-boundary checks see what they would in the whole text.
 */
function spokenEmails(norm: string): PiiFact[] {
  const out: PiiFact[] = [];
  if (!hasSpokenDomain(norm)) return out;
  let done = 0;
  for (let at = norm.indexOf(' at '); at !== -1; at = norm.indexOf(' at ', at + 1)) {
    if (!hasDomainDot(norm, at + 4)) continue;
    let lo = Math.max(done, at - SPOKEN_BEFORE);
    while (lo > done && ALNUM.test(norm[lo - 1] as string)) lo--;
    let hi = Math.min(norm.length, at + 4 + SPOKEN_AFTER);
    while (hi < norm.length && ALNUM.test(norm[hi] as string)) hi++;
    const window = norm.slice(lo, hi);
    SPOKEN_EMAIL.lastIndex = 0;
    for (let m = SPOKEN_EMAIL.exec(window); m !== null; m = SPOKEN_EMAIL.exec(window)) {
      const start = lo + m.index;
      const end = start + m[0].length;
      // Only the address around this " at ": one around a later " at " may be cut by this window.
      if (start > at || end < at + 4) continue;
      out.push({ kind: 'email', span: [start, end] });
      done = end;
    }
  }
  return out;
}

/**
 * Whether some " at " is followed as an address's domain must start: 1–30 letters or digits, then " dot "
 * or ".". Without one, SPOKEN_EMAIL cannot match anywhere in the text, so no window is searched.
 */
function hasSpokenDomain(norm: string): boolean {
  // Without any "." or "dot " there is nothing to look for (and " at " is a slower search).
  if (norm.indexOf('.') === -1 && norm.indexOf('dot ') === -1) return false;
  for (let at = norm.indexOf(' at '); at !== -1; at = norm.indexOf(' at ', at + 1)) {
    const from = at + 4;
    let end = from;
    while (end < norm.length && end - from <= 30 && isAsciiAlnum(norm.charCodeAt(end))) end++;
    if (end > from && end - from <= 30 && (norm.charCodeAt(end) === 46 || norm.startsWith(' dot ', end))) return true;
  }
  return false;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

/** Whether a " dot " or "." follows within reach: an address's domain needs one. */
function hasDomainDot(norm: string, from: number): boolean {
  const dot = norm.indexOf('.', from);
  if (dot !== -1 && dot < from + SPOKEN_AFTER) return true;
  const spoken = norm.indexOf(' dot ', from);
  return spoken !== -1 && spoken < from + SPOKEN_AFTER;
}

interface Run {
  digits: string;
  groups: number[];
  start: number;
  end: number;
  firstTok: number;
  plus: boolean;
  /** Each token's digits and span, to find cards inside a run too long to be one. */
  parts: Array<{ digits: string; start: number; end: number }>;
}

function tokenDigits(w: string): string | null {
  const c = w.charCodeAt(0);
  if (c < 48 || c > 57) return MAYBE_DIGIT_WORD.mayHave(w) ? (DIGIT_WORDS.get(w) ?? null) : null;
  if (/^\d{1,19}$/.test(w)) return w;
  if (/^\d{1,4}(?:\.\d{1,4}){1,4}$/.test(w)) return w.replace(/\./g, '');
  return DIGIT_WORDS.get(w) ?? null;
}

/** Between two tokens of a number: only spaces, dashes, dots, parentheses or slashes. */
function joinable(norm: string, from: number, to: number): boolean {
  if (to - from > 3) return false;
  for (let i = from; i < to; i++) if (!' -.()/'.includes(norm[i] as string)) return false;
  return true;
}

function digitRuns(norm: string, tokens: readonly Token[], emails: readonly PiiFact[]): PiiFact[] {
  const runs: Run[] = [];
  let run: Run | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const d = tokenDigits(t.w);
    const isWord = d !== null && !isDigit(t.w.charCodeAt(0));
    const continues =
      run !== null && d !== null && joinable(norm, run.end, t.start) && run.digits.length < MAX_RUN_DIGITS;
    if (!continues) run = null;
    if (d === null || (isWord && !continues && (t.w === 'oh' || t.w === 'o'))) continue;
    if (run !== null) {
      run.digits += d;
      const prev = tokens[i - 1]?.w ?? '';
      if (isWord && run.groups.length > 0 && !isDigit(prev.charCodeAt(0)))
        run.groups[run.groups.length - 1] = (run.groups.at(-1) ?? 0) + 1;
      else run.groups.push(d.length);
      run.end = t.end;
      run.parts.push({ digits: d, start: t.start, end: t.end });
    } else {
      let start = t.start;
      while (start > 0 && (norm[start - 1] === '(' || norm[start - 1] === '+') && t.start - start < 2) start--;
      run = {
        digits: d,
        groups: [d.length],
        start,
        end: t.end,
        firstTok: i,
        plus: norm[start] === '+',
        parts: [{ digits: d, start: t.start, end: t.end }],
      };
      runs.push(run);
    }
  }
  const out: PiiFact[] = [];
  let e = 0;
  for (const r of runs) {
    const kind = classify(r, norm, tokens);
    const found: PiiFact[] = kind ? [{ kind, span: [r.start, r.end] }] : r.digits.length > 19 ? cardsWithin(r) : [];
    for (const fact of found) {
      // Emails and runs are both in text order: skip emails that end before this finding.
      while (e < emails.length && (emails[e] as PiiFact).span[1] <= fact.span[0]) e++;
      const email = emails[e];
      if (email && email.span[0] < fact.span[1]) continue;
      out.push(fact);
    }
  }
  return out;
}

/** A run may hold several numbers read back to back; up to this many digits are kept together. */
const MAX_RUN_DIGITS = 40;

/** Card numbers (13–19 digits, Luhn-valid) made of whole tokens inside a run too long to be one. */
function cardsWithin(run: Run): PiiFact[] {
  const out: PiiFact[] = [];
  let i = 0;
  while (i < run.parts.length) {
    let digits = '';
    let found = -1;
    for (let j = i; j < run.parts.length && digits.length <= 19; j++) {
      digits += (run.parts[j] as Run['parts'][number]).digits;
      if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) {
        found = j;
        break;
      }
    }
    if (found < 0) {
      i++;
      continue;
    }
    out.push({
      kind: 'card',
      span: [(run.parts[i] as Run['parts'][number]).start, (run.parts[found] as Run['parts'][number]).end],
    });
    i = found + 1;
  }
  return out;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function classify(run: Run, norm: string, tokens: readonly Token[]): PiiKind | null {
  const n = run.digits.length;
  if (n >= 13 && n <= 19 && luhn(run.digits)) return 'card';
  if (n === 9) {
    const formatted = run.groups.join(',') === '3,2,4';
    const cueFrom = tokens[Math.max(0, run.firstTok - 8)]?.start ?? 0;
    // A redaction label ("[ssn]") is not a cue: redacted text must not make new findings.
    const cue = SSN_CUE.test(norm.slice(cueFrom, run.start).replace(LABEL_SSN, ' '));
    if ((formatted || cue) && validSsn(run.digits)) return 'ssn';
  }
  if (run.plus && n >= 8 && n <= 15) return 'phone';
  if (n === 10 || (n === 11 && run.digits[0] === '1')) return 'phone';
  if (n === 7 && run.groups.join(',') === '3,4') return 'phone';
  return null;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function validSsn(d: string): boolean {
  const area = d.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

function bySpanStart(a: PiiFact, b: PiiFact): number {
  return a.span[0] - b.span[0];
}

const LABELS: Record<PiiKind, string> = { email: '[email]', phone: '[phone]', card: '[card]', ssn: '[ssn]' };

/**
 * Replaces every PII span with its label ("[email]", "[phone]", "[card]", "[ssn]"). Redaction is
 * repeated until nothing more is found (at most a few passes): a finding hidden behind an
 * overlapping one, such as a spoken address right after a written one, is caught the second time.
 */
export function redactPii(text: string, facts?: Pick<UtteranceFacts, 'pii' | 'text'>): string {
  let pii = facts && facts.text === text ? facts.pii : findPii(text);
  let out = text;
  for (let pass = 0; pii.length > 0 && pass < MAX_REDACTION_PASSES; pass++) {
    out = replaceSpans(out, pii);
    pii = findPii(out);
  }
  return out;
}

const MAX_REDACTION_PASSES = 4;

function replaceSpans(text: string, pii: readonly PiiFact[]): string {
  let out = '';
  let at = 0;
  for (const p of [...pii].sort(bySpanStart)) {
    if (p.span[0] < at) continue;
    out += text.slice(at, p.span[0]) + LABELS[p.kind];
    at = p.span[1];
  }
  return out + text.slice(at);
}
