/**
 * `analyzeUtterance`: the facts in one utterance, each with the span of text that produced it.
 * Pure and deterministic; never throws (a failure inside returns the facts found so far is not an
 * option for a guardrail, so every step is total and linear in the input).
 */
import { findAgentClaims } from './agent-claims.ts';
import { findCommitments } from './commitments.ts';
import { findConcessions } from './concessions.ts';
import { findCustomerFacts } from './customer.ts';
import { compilePhraseBook, defaultPhraseBook, type PhraseBook } from './phrase-book.ts';
import { findPii } from './pii.ts';
import { Scope } from './scope.ts';
import { readText } from './text.ts';
import type { Span, Speaker, UtteranceFacts } from './types.ts';

function bySpanStart(a: Span, b: Span): number {
  return a[0] - b[0];
}

export function emptyFacts(text: string): UtteranceFacts {
  return {
    text,
    concessions: [],
    commitments: [],
    consent: null,
    optOut: false,
    asksIfAI: false,
    deniesBeingAI: false,
    pressure: false,
    pii: [],
    disclosesAI: false,
    disclosesRecording: false,
    riskyPhrases: [],
    evidence: {},
  };
}

/**
 * Reads the facts out of what `speaker` said. Agent speech yields concessions, commitments, AI
 * denial, pressure and disclosures; customer speech yields consent, opt-out and asking whether
 * the caller is an AI; both yield personal data.
 */
export function analyzeUtterance(
  text: string,
  speaker: Speaker,
  phrases: PhraseBook = defaultPhraseBook(),
): UtteranceFacts {
  const input = typeof text === 'string' ? text : String(text ?? '');
  const compiled = compilePhraseBook(phrases);
  const facts = emptyFacts(input);
  const t = readText(input);
  const scope = new Scope(t, compiled);
  facts.pii = findPii(input, t);
  const piiSpans: Span[] = [];
  for (const p of facts.pii) piiSpans.push(p.span);
  if (speaker === 'agent') {
    const c = findConcessions(scope, piiSpans);
    const m = findCommitments(scope);
    facts.concessions = c.concessions;
    facts.commitments = m.commitments;
    facts.riskyPhrases = [...c.risky, ...m.risky].sort(bySpanStart);
    const claims = findAgentClaims(scope);
    facts.deniesBeingAI = claims.deniesBeingAI !== null;
    facts.disclosesAI = claims.disclosesAI !== null && !facts.deniesBeingAI;
    facts.disclosesRecording = claims.disclosesRecording !== null;
    facts.pressure = claims.pressure !== null;
    if (claims.deniesBeingAI) facts.evidence.deniesBeingAI = claims.deniesBeingAI;
    if (claims.disclosesAI && facts.disclosesAI) facts.evidence.disclosesAI = claims.disclosesAI;
    if (claims.disclosesRecording) facts.evidence.disclosesRecording = claims.disclosesRecording;
    if (claims.pressure) facts.evidence.pressure = claims.pressure;
  } else {
    const c = findCustomerFacts(scope);
    facts.consent = c.consent;
    facts.optOut = c.optOut !== null;
    facts.asksIfAI = c.asksIfAI !== null;
    if (c.consentSpan) facts.evidence.consent = c.consentSpan;
    if (c.optOut) facts.evidence.optOut = c.optOut;
    if (c.asksIfAI) facts.evidence.asksIfAI = c.asksIfAI;
  }
  return facts;
}
