/**
 * Whether a candidate fact is negated ("I can't do thirty percent"), hypothetical ("if it were up
 * to me I'd give you 40%") or about someone else's numbers ("their price is $1,200"). Phrase
 * matches are found lazily, once per utterance, only when some candidate needs them.
 */
import { hashStep } from './dict.ts';
import { ANY_FOLLOWER, nextWordBit } from './followers.ts';
import type { CompiledPhrases, StartEntry } from './phrase-book.ts';
import { isNumberStart, NUMBER_KEY, type PhraseList, tokenKey } from './phrase-syntax.ts';
import { findAll, markClauseWords, type Text, type Token, tokenAtOrAfter } from './text.ts';
import type { Span } from './types.ts';

/** A phrase match located by token index. */
interface Located {
  span: Span;
  tok: number;
  tokEnd: number;
}

const NEGATION_REACH = 7;
const NEGATION_AFTER_REACH = 3;
const NOT_OFFER_REACH = 8;
const HYPOTHETICAL_REACH = 16;
const CONTRAST = new Set(['but', 'however', 'though', 'although', 'instead', 'still']);

export class Scope {
  /** Matches per list id, found on first use. */
  private readonly cache: (Located[] | undefined)[] = [];
  /** For each list: the positions where a match could start (ascending), or null to scan everything. */
  private readonly starts: Starts;

  constructor(
    readonly text: Text,
    readonly phrases: CompiledPhrases,
  ) {
    this.starts = startPositions(text, phrases);
    const breaks: Span[] = [];
    for (const m of this.matches(phrases.clauseBreaks)) breaks.push(m.span);
    markClauseWords(text.tokens, breaks);
  }

  /** Matches of one compiled list, located by token (cached). Only plausible starts are tried. */
  matches(list: PhraseList): Located[] {
    let found = this.cache[list.id];
    if (found) return found;
    found = [];
    const starts = this.starts[list.id];
    if (starts === null) {
      for (const span of findAll(list.re, this.text.norm)) found.push(this.locate(span));
    } else if (starts !== undefined) {
      const re = list.sticky;
      let end = 0;
      for (const at of starts) {
        if (at < end) continue;
        re.lastIndex = at;
        // test() leaves lastIndex at the end of the match, without building the match array.
        if (!re.test(this.text.norm) || re.lastIndex === at) continue;
        end = re.lastIndex;
        found.push(this.locate([at, end]));
      }
    }
    this.cache[list.id] = found;
    return found;
  }

  private locate(span: Span): Located {
    const tokens = this.text.tokens;
    return { span, tok: tokenAtOrAfter(tokens, span[0]), tokEnd: tokenAtOrAfter(tokens, span[1]) };
  }

  token(i: number): Token | undefined {
    return this.text.tokens[i];
  }

  /**
   * Negated within its clause, unless a limit word stands between ("can't go beyond 20%").
   * With `inner`, a negation inside the span counts too ("the setup fee can't be waived"), except
   * within `except`, a cue that carries its own negation ("we won't charge you the setup fee").
   */
  negated(tokStart: number, tokEnd: number, inner = false, except?: [number, number]): boolean {
    const { negation } = this.phrases;
    if (inner) {
      for (const neg of this.within(negation.before, tokStart, tokEnd - 1)) {
        if (!except || neg.tok < except[0] || neg.tok >= except[1]) return true;
      }
    }
    for (const neg of this.within(negation.before, tokStart - NEGATION_REACH, tokStart - 1)) {
      if (neg.tokEnd > tokStart || !this.sameClause(neg.tok, tokStart)) continue;
      if (this.within(negation.limits, neg.tokEnd, tokStart - 1).length === 0) return true;
    }
    for (const neg of this.within(negation.after, tokEnd, tokEnd + NEGATION_AFTER_REACH)) {
      if (this.sameClause(tokEnd - 1, neg.tok)) return true;
    }
    return false;
  }

  /**
   * The hypothetical phrase shortly before, in the same sentence and not cut off by a contrast
   * ("I wish I could do more, but twenty percent off is the max" is an offer).
   */
  hypothetical(tokStart: number): Span | null {
    const first = this.token(tokStart);
    if (!first) return null;
    const list = this.matches(this.phrases.hypothetical);
    const h = list[lowerBound(list, tokStart + 1) - 1];
    if (!h || tokStart - h.tok > HYPOTHETICAL_REACH || this.token(h.tok)?.sentence !== first.sentence) return null;
    for (let t = h.tokEnd; t < tokStart; t++) if (CONTRAST.has(this.token(t)?.w ?? '')) return null;
    return h.span;
  }

  /** Someone else's number (a competitor's price, what the customer pays today, a growth figure). */
  notOffer(tokStart: number, tokEnd: number): boolean {
    const cues = this.phrases.concessions.notOfferCues;
    for (const n of this.within(cues, tokStart - NOT_OFFER_REACH, tokStart - 1))
      if (this.sameClause(n.tok, tokStart)) return true;
    for (const n of this.within(cues, tokEnd, tokEnd + 1)) if (this.sameClause(tokEnd - 1, n.tok)) return true;
    return false;
  }

  /** The nearest match of `re` ending by `tok` and starting within `reach` tokens before it, same clause. */
  before(re: PhraseList, tok: number, reach: number): Located | undefined {
    let best: Located | undefined;
    for (const m of this.within(re, tok - reach, tok - 1)) if (m.tokEnd <= tok && this.sameClause(m.tok, tok)) best = m;
    return best;
  }

  /** The first match of `re` starting within `reach` tokens after `tokEnd` (exclusive end), same clause. */
  after(re: PhraseList, tokEnd: number, reach: number): Located | undefined {
    for (const m of this.within(re, tokEnd, tokEnd + reach)) if (this.sameClause(tokEnd - 1, m.tok)) return m;
    return undefined;
  }

  /** Matches whose first token index lies in [lo, hi]. */
  within(re: PhraseList, lo: number, hi: number): Located[] {
    const list = this.matches(re);
    const out: Located[] = [];
    for (let i = lowerBound(list, lo); i < list.length && (list[i] as Located).tok <= hi; i++)
      out.push(list[i] as Located);
    return out;
  }

  sameClause(a: number, b: number): boolean {
    const ta = this.token(a);
    const tb = this.token(b);
    return ta !== undefined && tb !== undefined && ta.clause === tb.clause;
  }
}

/** First index whose token is >= tok. */
function lowerBound(list: readonly Located[], tok: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as Located).tok < tok) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** $ % . or , : a match may also start right after one inside a token ("20%off"). */
function isInnerStart(code: number): boolean {
  return code === 36 || code === 37 || code === 46 || code === 44;
}

/**
 * Where each list could start: at tokens (or parts of glued tokens, "20%off") that are one of its
 * first words. A list's array is made at its first position; undefined: no position at all.
 */
function startPositions(text: Text, phrases: CompiledPhrases): Starts {
  const { tokens, norm } = text;
  const starts: Starts = new Array(phrases.listCount);
  for (const id of phrases.startAnywhere) starts[id] = null;
  const numberIds = phrases.startIndex.get(NUMBER_KEY)?.lists;
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k] as Token;
    const w = token.w;
    // One look at the characters: apostrophes (the key drops them), the key's hash, "$ % . ," (a
    // match may start inside), anything else (then the token is not one whole regex word).
    let apostrophe = false;
    let inner = false;
    let word = true;
    let hash = 0;
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c === 39) {
        apostrophe = true;
        continue;
      }
      hash = hashStep(hash, c);
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
      word = false;
      if (isInnerStart(c)) inner = true;
    }
    const entry = phrases.startIndex.get(apostrophe ? tokenKey(w) : w, hash);
    // A list whose next word could not start as the next token does is not tried here.
    if (entry) markFollowed(starts, entry, token.start, word ? nextWordBit(tokens, norm, k) : ANY_FOLLOWER);
    markNumber(starts, numberIds, !apostrophe, w, token.start);
    if (!inner) continue;
    // $ % . and , split a token for phrase matching: a match may start after one ("20%off") or
    // end before one ("take%"), so each part is a possible first word.
    let from = 0;
    for (let i = 0; i <= w.length; i++) {
      if (i === w.length || isInnerStart(w.charCodeAt(i))) {
        if (i > from && i - from < w.length) {
          const part = w.slice(from, i);
          const partKey = tokenKey(part);
          mark(starts, phrases.startIndex.get(partKey)?.lists, token.start + from);
          markNumber(starts, numberIds, partKey === part, part, token.start + from);
        }
        // A number may start at a "$" inside the token ("i%$1,499").
        if (i > 0 && w.charCodeAt(i) === 36 && isNumberStart(w.slice(i, i + 3)))
          mark(starts, numberIds, token.start + i);
        from = i + 1;
      }
    }
  }
  return starts;
}

/** Per list: positions (ascending), null to scan the whole text, undefined when nothing can start. */
type Starts = (number[] | null | undefined)[];

/**
 * Marks `at` for the lists that can begin with a number there. The start index already gave a
 * number word's lists (`noApostrophe`: the word is its own key); digits, "$" and the rest are
 * tested here.
 */
function markNumber(
  starts: Starts,
  numberIds: readonly number[] | undefined,
  noApostrophe: boolean,
  word: string,
  at: number,
): void {
  const c = word.charCodeAt(0);
  if (numberIds && !(c >= 97 && c <= 122 && noApostrophe) && isNumberStart(word)) mark(starts, numberIds, at);
}

/** Marks `at` for the entry's lists whose next word can start with the character of `nextBit`. */
function markFollowed(starts: Starts, entry: StartEntry, at: number, nextBit: number): void {
  const { lists, follow } = entry;
  for (let i = 0; i < lists.length; i++) {
    const f = follow[i] as number;
    if (f === ANY_FOLLOWER || (f & nextBit) !== 0) markList(starts, lists[i] as number, at);
  }
}

function mark(starts: Starts, ids: readonly number[] | undefined, at: number): void {
  if (ids) for (const id of ids) markList(starts, id, at);
}

function markList(starts: Starts, id: number, at: number): void {
  const list = starts[id];
  if (list === undefined) starts[id] = [at];
  else list?.push(at);
}
