/**
 * The facts `analyzeUtterance` reads out of one utterance. Every fact carries the character span
 * (`[start, end)` into the original text) that produced it, so decisions can quote the words.
 * This is the contract between transcript analysis and the gate / statechart.
 */
export type Speaker = 'agent' | 'customer';
export type Span = [number, number];

export type ConcessionKind = 'percent_off' | 'amount_off' | 'price' | 'free_period' | 'waived_fee' | 'price_match';

export interface ConcessionFact {
  kind: ConcessionKind;
  /** Percent for percent_off, USD for amount_off/price, months for free_period, null otherwise. */
  value: number | null;
  unit: 'percent' | 'usd' | 'months' | null;
  span: Span;
}

export type CommitmentKind = 'guarantee' | 'contract_term' | 'date';
export interface CommitmentFact {
  kind: CommitmentKind;
  span: Span;
}

export type PiiKind = 'email' | 'phone' | 'card' | 'ssn';
export interface PiiFact {
  kind: PiiKind;
  span: Span;
}

export interface UtteranceFacts {
  text: string;
  concessions: ConcessionFact[];
  commitments: CommitmentFact[];
  consent: 'granted' | 'declined' | null;
  optOut: boolean;
  asksIfAI: boolean;
  deniesBeingAI: boolean;
  pressure: boolean;
  pii: PiiFact[];
  /** Internal (not part of the CLI's JSON line): the agent disclosed it is an AI / that the call is recorded. */
  disclosesAI: boolean;
  disclosesRecording: boolean;
  /** Internal: hypotheticals such as "if it were up to me I'd give you 40%" — risky, not offers. */
  riskyPhrases: Span[];
  /** Spans of the facts above that are booleans (optOut, consent, asksIfAI, deniesBeingAI, pressure, disclosures), for evidence. */
  evidence: Partial<
    Record<
      'optOut' | 'consent' | 'asksIfAI' | 'deniesBeingAI' | 'pressure' | 'disclosesAI' | 'disclosesRecording',
      Span
    >
  >;
}
