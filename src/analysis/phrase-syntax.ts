/**
 * The small phrase language of `policies/phrases.yaml`, compiled to regular expressions.
 *
 *   words separated by spaces   in order, any spaces/punctuation between them
 *   don't / set-up              apostrophe and hyphen optional
 *   (a|b c)  (a|b)?  word?      alternatives, optional items
 *   ...                         up to three other words in between
 *   #                           a number (digits or up to four number words)
 *
 * Every quantifier in the output is bounded, so a compiled phrase runs in linear time on any input
 * (no catastrophic backtracking, even on a megabyte of random text).
 */

/** Between two words: 1–6 characters that are neither letters, digits nor apostrophes. */
export const SEP = "[^\\p{L}\\p{N}']{1,6}";
const WORD = "[\\p{L}\\p{N}']{1,30}";
const GAP = `(?:${SEP}${WORD}){0,3}`;
const NUMBER_WORDS =
  'zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|a couple|couple|a few|few|several';
const NUMBER_ITEM = `(?:\\$?\\p{N}[\\p{N},.]{0,12}[%k]?|${NUMBER_WORDS})`;
const NUMBER = `${NUMBER_ITEM}(?:${SEP}${NUMBER_ITEM}){0,3}`;

/** The start key (see `firstWords`) of a phrase that begins with a number (`#`). */
export const NUMBER_KEY = '#';
/** The words a number in words can start with ("a" for "a couple"). */
export const NUMBER_FIRST_WORDS: ReadonlySet<string> = new Set(
  NUMBER_WORDS.split('|').map((w) => w.split(' ')[0] as string),
);
const DIGIT = /^\p{N}/u;

/** Whether a `#` can match starting at this token: a digit, "$" and a digit, or a number word. */
export function isNumberStart(token: string): boolean {
  const c = token.charCodeAt(0);
  if (c >= 48 && c <= 57) return true;
  if (c === 36) return DIGIT.test(token.slice(1, 3));
  return c > 127 ? DIGIT.test(token) : NUMBER_FIRST_WORDS.has(token);
}

/** Characters a phrase may contain. */
export const PHRASE_CHARS = /^[a-z0-9 '()|?.#&%-]+$/;

/** One element of a parsed phrase. */
export type Item =
  | { kind: 'word'; raw: string; source: string; optional: boolean }
  | { kind: 'group'; options: Item[][]; optional: boolean }
  | { kind: 'number'; optional: boolean }
  | { kind: 'gap' };

export class PhraseSyntaxError extends Error {}

/** Parses one phrase into its items; throws PhraseSyntaxError when it is not valid. */
export function parsePhrase(phrase: string): Item[] {
  const text = phrase.trim().replace(/\s+/g, ' ');
  if (!PHRASE_CHARS.test(text))
    throw new PhraseSyntaxError(`"${phrase}" has characters other than a-z 0-9 ' ( ) | ? . # & % - and spaces`);
  const parser = new Parser(text);
  const items = parser.sequence();
  if (parser.pos !== text.length)
    throw new PhraseSyntaxError(`"${phrase}": unexpected "${text[parser.pos]}" at ${parser.pos + 1}`);
  if (!canMatchSomething(items)) throw new PhraseSyntaxError(`"${phrase}" is empty or entirely optional`);
  return items;
}

/** Compiles one phrase to a regular-expression source (no boundaries, no flags). */
export function compilePhrase(phrase: string): string {
  return emitSequence(parsePhrase(phrase));
}

/**
 * The token keys (see `tokenKey`) a match of the phrase can start with (`NUMBER_KEY` for a number),
 * or null when it can start with anything. Used to skip phrase lists that cannot match an
 * utterance at all, and to try the others only where they could start.
 */
export function firstWords(phrase: string): string[] | null {
  const out = new Set<string>();
  return firstOfSequence(parsePhrase(phrase), out) ? [...out] : null;
}

/** The key of a token for `firstWords`: lowercase, apostrophes dropped. */
export function tokenKey(token: string): string {
  return token.includes("'") ? token.replace(/'/g, '') : token;
}

/** Adds the first keys of `items` to `out`; false if a match may start with anything. */
function firstOfSequence(items: readonly Item[], out: Set<string>): boolean {
  for (const item of items) {
    if (item.kind === 'gap') continue;
    if (item.kind === 'number') out.add(NUMBER_KEY);
    else if (item.kind === 'word') {
      const word = item.raw.replace(/'/g, '');
      // "." and "&" split tokens ("e.g", "at&t"); "%" stays inside one ("100%").
      if (/[.&]/.test(word)) return false;
      const parts = word.split('-');
      for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join(''));
    } else {
      for (const option of item.options) if (!firstOfSequence(option, out)) return false;
    }
    if (!item.optional) return true;
  }
  return true;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  sequence(): Item[] {
    const items: Item[] = [];
    for (;;) {
      while (this.text[this.pos] === ' ') this.pos++;
      const ch = this.text[this.pos];
      if (ch === undefined || ch === ')' || ch === '|') break;
      items.push(this.item());
    }
    if (items.length === 0) throw new PhraseSyntaxError(`"${this.text}": an empty alternative at ${this.pos + 1}`);
    if (items[0]?.kind === 'gap' || items[items.length - 1]?.kind === 'gap') {
      throw new PhraseSyntaxError(`"${this.text}": "..." must stand between two words`);
    }
    return items;
  }

  private item(): Item {
    const ch = this.text[this.pos];
    if (this.text.startsWith('...', this.pos)) {
      this.pos += 3;
      return { kind: 'gap' };
    }
    if (ch === '(') {
      this.pos++;
      const options: Item[][] = [this.sequence()];
      while (this.text[this.pos] === '|') {
        this.pos++;
        options.push(this.sequence());
      }
      if (this.text[this.pos] !== ')') throw new PhraseSyntaxError(`"${this.text}": missing ")"`);
      this.pos++;
      return { kind: 'group', options, optional: this.optionalMark() };
    }
    if (ch === '#') {
      this.pos++;
      return { kind: 'number', optional: this.optionalMark() };
    }
    const start = this.pos;
    while (this.pos < this.text.length && /[a-z0-9'.&%-]/.test(this.text[this.pos] as string)) {
      if (this.text.startsWith('...', this.pos)) break;
      this.pos++;
    }
    if (this.pos === start) throw new PhraseSyntaxError(`"${this.text}": unexpected "${ch}" at ${start + 1}`);
    const raw = this.text.slice(start, this.pos);
    return { kind: 'word', raw, source: emitWord(raw), optional: this.optionalMark() };
  }

  private optionalMark(): boolean {
    if (this.text[this.pos] !== '?') return false;
    this.pos++;
    return true;
  }
}

function emitWord(word: string): string {
  let out = '';
  for (const ch of word) {
    if (ch === "'") out += "'?";
    else if (ch === '-') out += '[- ]?';
    else if (ch === '.') out += '\\.';
    else out += ch;
  }
  return out;
}

function emitItem(item: Exclude<Item, { kind: 'gap' }>): string {
  if (item.kind === 'word') return item.source;
  if (item.kind === 'number') return `(?:${NUMBER})`;
  return `(?:${item.options.map(emitSequence).join('|')})`;
}

function emitSequence(items: Item[]): string {
  let out = '';
  for (const { item, started, gap } of placed(items)) {
    const body = emitItem(item);
    const sep = gap ? `${GAP}${SEP}` : SEP;
    if (!started) out += item.optional ? `(?:${body}${SEP})?` : body;
    else out += item.optional ? `(?:${sep}${body})?` : `${sep}${body}`;
  }
  return out;
}

/** An item of a sequence and where it stands. */
export interface Placed {
  item: Exclude<Item, { kind: 'gap' }>;
  /** A required item stands before it: a separator (or a gap) comes first. */
  started: boolean;
  /** A "..." stands between it and the last required item before it. */
  gap: boolean;
}

/** The items of a sequence but its gaps, each with where it stands. */
export function placed(items: readonly Item[]): Placed[] {
  const out: Placed[] = [];
  let started = false;
  let gap = false;
  for (const item of items) {
    if (item.kind === 'gap') {
      gap = true;
      continue;
    }
    out.push({ item, started, gap });
    if (!item.optional) {
      started = true;
      gap = false; // an optional item after "..." keeps the gap open for the next required one
    }
  }
  return out;
}

function canMatchSomething(items: Item[]): boolean {
  return items.some((i) => i.kind !== 'gap' && !i.optional);
}

/** A compiled phrase list: one regular expression (whole words, global) and its possible first words. */
export interface PhraseList {
  /** Position in the phrase book, for the per-utterance "could match" table. */
  id: number;
  /** Global: scans the whole text. */
  re: RegExp;
  /** Sticky: tries one position (a token that could start a match). */
  sticky: RegExp;
  /** Token keys a match can start with; null when it may start anywhere. */
  first: readonly string[] | null;
}

export function compileList(phrases: readonly string[], id: number): PhraseList {
  const body = phrases.map(compilePhrase).join('|');
  const source = `(?<![\\p{L}\\p{N}'])(?:${body})(?![\\p{L}\\p{N}'])`;
  const re = new RegExp(source, 'gu');
  const sticky = new RegExp(source, 'uy');
  const first = new Set<string>();
  for (const phrase of phrases) {
    const words = firstWords(phrase);
    if (words === null) return { id, re, sticky, first: null };
    for (const w of words) first.add(w);
  }
  return { id, re, sticky, first: [...first] };
}
