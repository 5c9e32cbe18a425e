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
  const result: CommitmentResult = { commitments: [], risky: [] };
  for (const m of scope.matches(c.guarantee)) keep(scope, result, 'guarantee', m.tok, m.tokEnd);
  for (const m of scope.matches(c.contractTerm)) keep(scope, result, 'contract_term', m.tok, m.tokEnd);
  for (const verb of scope.matches(c.dateVerbs)) {
    let date: typeof verb | undefined;
    for (const d of scope.within(c.dateWords, verb.tokEnd, verb.tokEnd + 4)) {
      if (linked(tokens, verb.tokEnd, d.tok) && scope.sameClause(verb.tokEnd - 1, d.tok)) {
        date = d;
        break;
      }
    }
    if (!date) continue;
    const marker = futureMarker(tokens, verb.tok, scope);
    if (marker === null || hedged(scope, marker, date.tokEnd, verb.tok)) continue;
    keep(scope, result, 'date', marker, date.tokEnd);
  }
  result.commitments = onePerSentence(scope, result.commitments);
  return result;
}

/** Keeps a commitment unless negated; a hypothetical one is recorded as risky. */
function keep(
  scope: Scope,
  result: CommitmentResult,
  kind: CommitmentFact['kind'],
  tokStart: number,
  tokEnd: number,
): void {
  const tokens = scope.text.tokens;
  const span: Span = [(tokens[tokStart] as Token).start, (tokens[tokEnd - 1] as Token).end];
  const h = scope.hypothetical(tokStart);
  if (h) result.risky.push([h[0], span[1]]);
  else if (!scope.negated(tokStart, tokEnd)) result.commitments.push({ kind, span });
}

/** "it usually ships within 5 days": a forecast, not a commitment. */
function hedged(scope: Scope, from: number, to: number, verbTok: number): boolean {
  for (const h of scope.within(scope.phrases.commitments.hedges, from - 3, to))
    if (scope.sameClause(h.tok, verbTok)) return true;
  return false;
}

/** Only linking words stand between the verb and the date ("ship by", "be there no later than"). */
function linked(tokens: readonly Token[], from: number, to: number): boolean {
  for (let t = from; t < to; t++) if (!DATE_LINK.has((tokens[t] as Token).w)) return false;
  return true;
}

/** The token that makes it a commitment: "will", "it'll", "gonna", "I promise", within 7 tokens before. */
function futureMarker(tokens: readonly Token[], verbTok: number, scope: Scope): number | null {
  for (let t = verbTok - 1; t >= Math.max(0, verbTok - 7); t--) {
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
  return commitments.sort(bySpanStart).filter((c) => {
    const key = `${c.kind}:${tokens[tokenAtOrAfter(tokens, c.span[0])]?.sentence}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function bySpanStart(a: CommitmentFact, b: CommitmentFact): number {
  return a.span[0] - b.span[0];
}
