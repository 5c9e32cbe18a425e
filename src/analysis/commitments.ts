/**
 * Commitments an agent may not make without authority: guarantees ("I guarantee", "I promise it
 * will"), contract terms ("we'll change the termination clause") and delivery dates ("it will ship
 * by Friday"). Negated, hedged ("it usually ships within 5 days") or hypothetical ones are not.
 */
import type { Scope } from './scope.ts';
import { type Token, tokenAtOrAfter } from './text.ts';
import type { CommitmentFact, Span } from './types.ts';

const FUTURE = new Set(['will', 'gonna', 'shall', 'promise', 'guarantee', 'guaranteed', 'definitely', 'can', 'going']);
const DATE_LINK = new Set([
  'by',
  'on',
  'before',
  'within',
  'in',
  'until',
  'for',
  'no',
  'later',
  'than',
  'the',
  'this',
  'first',
  'thing',
]);

export interface CommitmentResult {
  commitments: CommitmentFact[];
  risky: Span[];
}

export function findCommitments(scope: Scope): CommitmentResult {
  const c = scope.phrases.commitments;
  const tokens = scope.text.tokens;
  const commitments: CommitmentFact[] = [];
  const risky: Span[] = [];
  const keep = (kind: CommitmentFact['kind'], tokStart: number, tokEnd: number): void => {
    const span: Span = [(tokens[tokStart] as Token).start, (tokens[tokEnd - 1] as Token).end];
    const h = scope.hypothetical(tokStart);
    if (h) risky.push([h[0], span[1]]);
    else if (!scope.negated(tokStart, tokEnd)) commitments.push({ kind, span });
  };
  for (const m of scope.matches(c.guarantee)) keep('guarantee', m.tok, m.tokEnd);
  for (const m of scope.matches(c.contractTerm)) keep('contract_term', m.tok, m.tokEnd);
  for (const verb of scope.matches(c.dateVerbs)) {
    const date = scope
      .within(c.dateWords, verb.tokEnd, verb.tokEnd + 4)
      .find((d) => linked(tokens, verb.tokEnd, d.tok) && scope.sameClause(verb.tokEnd - 1, d.tok));
    if (!date) continue;
    const marker = futureMarker(tokens, verb.tok, scope);
    if (marker === null) continue;
    if (scope.within(c.hedges, marker - 3, date.tokEnd).some((h) => scope.sameClause(h.tok, verb.tok))) continue;
    keep('date', marker, date.tokEnd);
  }
  return { commitments: onePerSentence(scope, commitments), risky };
}

/** Only linking words stand between the verb and the date ("ship by", "be there no later than"). */
function linked(tokens: readonly Token[], from: number, to: number): boolean {
  for (let t = from; t < to; t++) if (!DATE_LINK.has((tokens[t] as Token).w)) return false;
  return true;
}

/** The token that makes it a commitment: "will", "it'll", "gonna", "I promise", within 5 tokens before. */
function futureMarker(tokens: readonly Token[], verbTok: number, scope: Scope): number | null {
  for (let t = verbTok - 1; t >= Math.max(0, verbTok - 5); t--) {
    const w = (tokens[t] as Token).w;
    if (!scope.sameClause(t, verbTok)) return null;
    if (FUTURE.has(w) || w.endsWith("'ll")) return t;
  }
  return null;
}

/** One commitment of each kind per sentence ("amend the contract to net 60" is one contract term). */
function onePerSentence(scope: Scope, commitments: CommitmentFact[]): CommitmentFact[] {
  const seen = new Set<string>();
  const tokens = scope.text.tokens;
  return commitments
    .sort((a, b) => a.span[0] - b.span[0])
    .filter((c) => {
      const key = `${c.kind}:${tokens[tokenAtOrAfter(tokens, c.span[0])]?.sentence}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
