/**
 * What a customer says that narrows authority: consent to recording granted or declined, an
 * opt-out in any of its forms (including a bare "STOP" in a message thread), and asking whether
 * they are talking to a machine.
 */
import { firstUnless, overlapsAny } from './agent-claims.ts';
import type { Scope } from './scope.ts';
import type { Span } from './types.ts';

/** Whole-message checks (keywords, short answers) only look at messages up to this long. */
const SHORT_MESSAGE = 160;
const OPT_OUT_NEGATION_REACH = 3;

export interface CustomerFacts {
  consent: 'granted' | 'declined' | null;
  consentSpan: Span | null;
  optOut: Span | null;
  asksIfAI: Span | null;
}

export function findCustomerFacts(scope: Scope): CustomerFacts {
  const c = scope.phrases.customer;
  const [consent, consentSpan] = findConsent(scope);
  return {
    consent,
    consentSpan,
    optOut: findOptOut(scope),
    asksIfAI: firstUnless(scope, c.asksIfAI, c.notAsksIfAI),
  };
}

function wholeSpan(scope: Scope): Span | null {
  const tokens = scope.text.tokens;
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  return first && last ? [first.start, last.end] : null;
}

function findOptOut(scope: Scope): Span | null {
  const c = scope.phrases.customer;
  const { norm } = scope.text;
  if (norm.length <= SHORT_MESSAGE && c.keywordOnly.test(norm)) return wholeSpan(scope);
  for (const m of scope.matches(c.optOut)) {
    const blockers = scope.within(c.notOptOut, m.tok - 6, m.tokEnd);
    if (overlapsAny(m.span, blockers)) continue;
    if (negatedDemand(scope, m.tok)) continue;
    return m.span;
  }
  return null;
}

/**
 * "I never said stop calling me" is not an opt-out; "if you don't stop calling me" and
 * "why don't you stop calling" are.
 */
function negatedDemand(scope: Scope, tok: number): boolean {
  for (const neg of scope.within(scope.phrases.negation.before, tok - OPT_OUT_NEGATION_REACH, tok - 1)) {
    if (!scope.sameClause(neg.tok, tok)) continue;
    const w1 = scope.token(neg.tok - 1)?.w;
    const w2 = scope.token(neg.tok - 2)?.w;
    if (w1 === 'why' || w2 === 'why' || w1 === 'if' || w2 === 'if') continue;
    return true;
  }
  return false;
}

function findConsent(scope: Scope): ['granted' | 'declined' | null, Span | null] {
  const c = scope.phrases.customer;
  const declined = firstUnless(scope, c.consentDeclined, null);
  if (declined) return ['declined', declined];
  const granted = firstUnless(scope, c.consentGranted, null);
  if (granted) return ['granted', granted];
  const { norm } = scope.text;
  if (norm.length > SHORT_MESSAGE) return [null, null];
  if (c.shortYesOnly.test(norm)) return ['granted', wholeSpan(scope)];
  if (c.shortNoOnly.test(norm)) return ['declined', wholeSpan(scope)];
  return [null, null];
}
