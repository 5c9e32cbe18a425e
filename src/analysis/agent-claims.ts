/**
 * What an agent says about itself and the call: denying being an AI (the gate denies that `say`
 * outright), disclosing that it is one or that the call is recorded, and pressure tactics.
 */
import type { PhraseList } from './phrase-syntax.ts';
import type { Scope } from './scope.ts';
import type { Span } from './types.ts';

export interface AgentClaims {
  deniesBeingAI: Span | null;
  disclosesAI: Span | null;
  disclosesRecording: Span | null;
  pressure: Span | null;
}

export function findAgentClaims(scope: Scope): AgentClaims {
  const a = scope.phrases.agent;
  return {
    deniesBeingAI: firstUnless(scope, a.deniesBeingAI, a.notDenial),
    disclosesAI: firstUnless(scope, a.disclosesAI, null),
    disclosesRecording: firstUnless(scope, a.disclosesRecording, null),
    pressure: firstUnless(scope, a.pressure, a.notPressure),
  };
}

/** The first match of `re` that overlaps no match of `unless` and is not negated. */
export function firstUnless(scope: Scope, re: PhraseList, unless: PhraseList | null): Span | null {
  for (const m of scope.matches(re)) {
    const blockers = unless ? scope.within(unless, m.tok - 12, m.tokEnd) : [];
    if (overlapsAny(m.span, blockers)) continue;
    if (scope.negated(m.tok, m.tokEnd)) continue;
    return m.span;
  }
  return null;
}

/** Whether `span` overlaps any of `others`. */
export function overlapsAny(span: Span, others: readonly { span: Span }[]): boolean {
  for (const o of others) if (o.span[0] < span[1] && span[0] < o.span[1]) return true;
  return false;
}
