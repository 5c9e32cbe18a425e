/**
 * One pass over an utterance: a length-preserving normalized copy (lowercase, straight
 * apostrophes) so every match offset is an offset into the original text, and its tokens with
 * their clause and sentence numbers.
 */
import type { Span } from './types.ts';

export interface Token {
  start: number;
  end: number;
  /** Lowercase text of the token. */
  w: string;
  /** Clause number: bumped by punctuation and by clause-break words ("but", "and"). */
  clause: number;
  /** Sentence number: bumped by . ! ? ; and line breaks. */
  sentence: number;
}

export interface Text {
  original: string;
  /** Same length as `original`. */
  norm: string;
  tokens: Token[];
}

const APOSTROPHES = /[\u2018\u2019\u02bc\u0060\u00b4\u2032]/g;

/** Lowercases without changing the length (characters whose lowercase is longer stay as they are). */
export function normalize(text: string): string {
  let lower = text.toLowerCase();
  if (lower.length !== text.length) {
    let out = '';
    for (const ch of text) {
      const l = ch.toLowerCase();
      out += l.length === ch.length ? l : ch;
    }
    lower = out;
  }
  return lower.replace(APOSTROPHES, "'");
}

function isSentenceBreak(code: number): boolean {
  // . ! ? ; newline, and the ellipsis / fullwidth forms
  return (
    code === 46 ||
    code === 33 ||
    code === 63 ||
    code === 59 ||
    code === 10 ||
    code === 0x2026 ||
    code === 0xff01 ||
    code === 0xff1f
  );
}

function isClauseBreak(code: number): boolean {
  // , : dash, en/em dash, parentheses, quotes are clause breaks for negation scope
  return code === 44 || code === 58 || code === 0x2013 || code === 0x2014 || code === 40 || code === 41 || code === 34;
}

/** Normalizes and tokenizes; clause-break words are marked later (`markClauseWords`). */
export function readText(original: string): Text {
  const norm = normalize(original);
  return { original, norm, tokens: tokenize(norm) };
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/uy;
const MAX_TOKEN = 64;

/** Length (1 or 2 code units) of the letter or digit at `i`, or 0. */
function wordCharAt(norm: string, i: number): number {
  const c = norm.charCodeAt(i);
  if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)) return 1;
  if (c < 128) return 0;
  LETTER_OR_DIGIT.lastIndex = i;
  return LETTER_OR_DIGIT.test(norm) ? LETTER_OR_DIGIT.lastIndex - i : 0;
}

/** Length of the token character at `i` (letters, digits, $ % '), or 0. */
function tokenCharAt(norm: string, i: number): number {
  const c = norm.charCodeAt(i);
  return c === 36 || c === 37 || c === 39 ? 1 : wordCharAt(norm, i);
}

/** What an ASCII character is to the tokenizer. */
const OTHER = 0;
const TOKEN_CHAR = 1;
const SENTENCE_BREAK = 2;
const CLAUSE_BREAK = 3;
/** Indexed by character code: a table lookup per ASCII character instead of function calls. */
const ASCII_KIND = new Uint8Array(128).map((_, code) => {
  if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57) || (code >= 65 && code <= 90)) return TOKEN_CHAR;
  if (code === 36 || code === 37 || code === 39) return TOKEN_CHAR;
  if (isSentenceBreak(code)) return SENTENCE_BREAK;
  return isClauseBreak(code) ? CLAUSE_BREAK : OTHER;
});

/**
 * Tokens of normalized text, in one pass: runs of letters, digits, $ % and apostrophes, with
 * "." and "," kept inside numbers ("1,499.00"); clause and sentence numbers from punctuation.
 * ASCII characters are classified by table; others by `tokenCharAt` and the break tests.
 */
export function tokenize(norm: string): Token[] {
  const tokens: Token[] = [];
  let clause = 0;
  let sentence = 0;
  let sentenceBreak = false;
  let clauseBreak = false;
  let i = 0;
  const n = norm.length;
  while (i < n) {
    const code = norm.charCodeAt(i);
    let len = code < 128 ? ((ASCII_KIND[code] as number) === TOKEN_CHAR ? 1 : 0) : tokenCharAt(norm, i);
    if (len === 0) {
      const kind = code < 128 ? (ASCII_KIND[code] as number) : OTHER;
      if (kind === SENTENCE_BREAK || (code >= 128 && isSentenceBreak(code))) sentenceBreak = true;
      else if (kind === CLAUSE_BREAK || (code >= 128 && isClauseBreak(code))) clauseBreak = true;
      i++;
      continue;
    }
    const start = i;
    i += len;
    while (i < n && i - start < MAX_TOKEN) {
      const c = norm.charCodeAt(i);
      if (c < 128 && (ASCII_KIND[c] as number) === TOKEN_CHAR) {
        i++;
        continue;
      }
      len = c < 128 ? 0 : tokenCharAt(norm, i);
      if (len === 0) {
        if ((c === 46 || c === 44) && i + 1 < n && wordCharAt(norm, i + 1) > 0 && isDigitAt(norm, i + 1)) len = 1;
        else break;
      }
      i += len;
    }
    if (tokens.length > 0) {
      if (sentenceBreak) {
        sentence++;
        clause++;
      } else if (clauseBreak) clause++;
    }
    sentenceBreak = false;
    clauseBreak = false;
    tokens.push({ start, end: i, w: norm.slice(start, i), clause, sentence });
  }
  return tokens;
}

const DIGIT = /\p{N}/uy;
function isDigitAt(norm: string, i: number): boolean {
  const c = norm.charCodeAt(i);
  if (c < 128) return c >= 48 && c <= 57;
  DIGIT.lastIndex = i;
  return DIGIT.test(norm);
}

/** Starts a new clause at each clause-break word ("but", "and"), given their spans in order. */
export function markClauseWords(tokens: Token[], spans: readonly Span[]): void {
  if (spans.length === 0) return;
  let s = 0;
  let clause = 0;
  let prevPunctClause = tokens[0]?.clause ?? 0;
  for (const token of tokens) {
    let bumped = token.clause !== prevPunctClause;
    prevPunctClause = token.clause;
    while (s < spans.length && (spans[s] as Span)[0] <= token.start) {
      bumped = true;
      s++;
    }
    if (bumped && token !== tokens[0]) clause++;
    token.clause = clause;
  }
}

/** Every match of a global regex, as spans. Never loops on empty matches. */
export function findAll(re: RegExp, text: string): Span[] {
  const out: Span[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** Index of the first token that starts at or after `pos` (tokens.length if none). */
export function tokenAtOrAfter(tokens: readonly Token[], pos: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid] as Token).start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last token that ends at or before `pos` (-1 if none). */
export function tokenEndingBy(tokens: readonly Token[], pos: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid] as Token).end <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
