/** The exact object `guardline analyze` prints per line: these keys, in this order. */
import type { UtteranceFacts } from './types.ts';

export type CliFacts = Pick<
  UtteranceFacts,
  'text' | 'concessions' | 'commitments' | 'consent' | 'optOut' | 'asksIfAI' | 'deniesBeingAI' | 'pressure' | 'pii'
>;

export function toCliJson(facts: UtteranceFacts): CliFacts {
  return {
    text: facts.text,
    concessions: facts.concessions.map((c) => ({
      kind: c.kind,
      value: c.value,
      unit: c.unit,
      span: [c.span[0], c.span[1]],
    })),
    commitments: facts.commitments.map((c) => ({ kind: c.kind, span: [c.span[0], c.span[1]] })),
    consent: facts.consent,
    optOut: facts.optOut,
    asksIfAI: facts.asksIfAI,
    deniesBeingAI: facts.deniesBeingAI,
    pressure: facts.pressure,
    pii: facts.pii.map((p) => ({ kind: p.kind, span: [p.span[0], p.span[1]] })),
  };
}
