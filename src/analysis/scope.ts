/**
 * Whether a candidate fact is negated ("I can't do thirty percent"), hypothetical ("if it were up
 * to me I'd give you 40%") or about someone else's numbers ("their price is $1,200"). Phrase
 * matches are found lazily, once per utterance, only when some candidate needs them.
 */
import type { CompiledPhrases } from './phrase-book.ts';
import { findAll, type Text, type Token, tokenAtOrAfter } from './text.ts';
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
  private readonly cache = new Map<RegExp, Located[]>();

  constructor(
    readonly text: Text,
    readonly phrases: CompiledPhrases,
  ) {}

  /** Matches of one compiled list, located by token (cached). */
  matches(re: RegExp): Located[] {
    let found = this.cache.get(re);
    if (!found) {
      const tokens = this.text.tokens;
      found = findAll(re, this.text.norm).map((span) => {
        const tok = tokenAtOrAfter(tokens, span[0]);
        return { span, tok, tokEnd: tokenAtOrAfter(tokens, span[1]) };
      });
      this.cache.set(re, found);
    }
    return found;
  }

  token(i: number): Token | undefined {
    return this.text.tokens[i];
  }

  /**
   * Negated within its clause, unless a limit word stands between ("can't go beyond 20%").
   * With `inner`, a negation inside the span counts too ("the setup fee can't be waived").
   */
  negated(tokStart: number, tokEnd: number, inner = false): boolean {
    const { negation } = this.phrases;
    if (inner && this.within(negation.before, tokStart, tokEnd - 1).length > 0) return true;
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
    if (this.within(cues, tokStart - NOT_OFFER_REACH, tokStart - 1).some((n) => this.sameClause(n.tok, tokStart)))
      return true;
    return this.within(cues, tokEnd, tokEnd + 1).some((n) => this.sameClause(tokEnd - 1, n.tok));
  }

  /** The nearest match of `re` ending by `tok` and starting within `reach` tokens before it, same clause. */
  before(re: RegExp, tok: number, reach: number): Located | undefined {
    const found = this.within(re, tok - reach, tok - 1).filter((m) => m.tokEnd <= tok && this.sameClause(m.tok, tok));
    return found[found.length - 1];
  }

  /** The first match of `re` starting within `reach` tokens after `tokEnd` (exclusive end), same clause. */
  after(re: RegExp, tokEnd: number, reach: number): Located | undefined {
    return this.within(re, tokEnd, tokEnd + reach).find((m) => this.sameClause(tokEnd - 1, m.tok));
  }

  /** Matches whose first token index lies in [lo, hi]. */
  within(re: RegExp, lo: number, hi: number): Located[] {
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
