import type { Override } from '../../../machines/session/types.ts';
import type { Span, UtteranceFacts } from '../../analysis/types.ts';
import type { Evidence } from '../../model/decision.ts';
import type { ConcessionParams } from '../../model/proposal.ts';
import { tierVerdict } from '../tiers.ts';
import type { SessionView, Verdict } from '../types.ts';
import { allow, deny, extended, reason } from '../verdict.ts';
import { concessionVerdict } from './concession.ts';

export interface SpeechContext {
  proposalId: string;
  override: Override | null;
  /** Redact personal data (`sanitize`) — for text that is sent, not spoken. */
  redactPii: boolean;
  redact: (text: string, facts: UtteranceFacts) => string;
}

const evidenceOf = (facts: UtteranceFacts, span: Span | undefined): Evidence | undefined =>
  span ? { text: facts.text.slice(span[0], span[1]), span } : undefined;

/**
 * What the agent is about to say or send is decided as the acts it contains: each concession as
 * a concession proposal, each commitment at the role's commitment tier, and the speech rules
 * (no denying being an AI, answer an AI question truthfully, disclose first, no pressure).
 */
export function speechVerdicts(view: SessionView, facts: UtteranceFacts, ctx: SpeechContext): Verdict[] {
  const policy = view.policy.policy;
  const out: Verdict[] = [];
  if (facts.deniesBeingAI) {
    out.push(
      deny(
        reason(
          'say.denies_ai',
          'The agent may never claim to be human.',
          {},
          evidenceOf(facts, facts.evidence.deniesBeingAI),
        ),
      ),
    );
  }
  if (view.aiQuestionPending && !facts.disclosesAI) {
    out.push(
      deny(
        reason('say.must_disclose_ai', 'The customer asked whether this is an AI: answer that truthfully first.', {}),
      ),
    );
  }
  // Closing words are fine while a call is being ended or after recording was declined; an offer
  // or a commitment in them is decided as it would be on its own: denied.
  const closing =
    view.lifecycle === 'wrapping_up'
      ? reason('session.wrapping_up', 'The call is being ended: only closing words and record-keeping remain.', {})
      : view.consent === 'declined'
        ? reason('consent.declined', 'The customer declined recording: close politely; nothing else may be done.', {})
        : null;
  if (closing && (facts.concessions.length > 0 || facts.commitments.length > 0)) return [deny(closing)];
  const disclosedNow = disclosesAll(view, facts);
  if (view.consent === 'required' && facts.commitments.length > 0 && !disclosedNow) {
    out.push(
      deny(
        reason('consent.disclose_first', 'Make the required disclosure before offering or committing to anything.', {
          consent: view.consent,
        }),
      ),
    );
  }
  if (facts.pressure && policy.speech.forbid_pressure) {
    out.push(
      deny(
        reason(
          'say.pressure',
          'Pressure tactics are not allowed by policy.',
          {},
          evidenceOf(facts, facts.evidence.pressure),
        ),
      ),
    );
  }
  const rolePolicy = policy.roles[view.role];
  for (const c of facts.commitments) {
    const evidence = evidenceOf(facts, c.span);
    if (ctx.override) {
      out.push(
        allow(
          reason(
            'commitment.override',
            `The commitment was approved (override ${ctx.override.id}).`,
            { kind: c.kind },
            evidence,
          ),
          { overrideUsed: ctx.override.id },
        ),
      );
      continue;
    }
    const v = tierVerdict(
      rolePolicy.commitments,
      `Making a ${c.kind.replace('_', ' ')} commitment`,
      'commitment.tier',
      { kind: c.kind, role: view.role },
      { commitment: c.kind, text: facts.text },
    );
    out.push(extended(v, { rationale: v.rationale.map((r) => (evidence ? extended(r, { evidence }) : r)) }));
  }
  const earlier: NonNullable<Verdict['concessions']> = [];
  for (const c of facts.concessions) {
    const params: ConcessionParams = { type: c.kind, value: c.value };
    const v = concessionVerdict(view, params, {
      proposalId: ctx.proposalId,
      earlier,
      override: ctx.override,
      evidence: evidenceOf(facts, c.span) ?? { text: '', span: c.span },
    });
    if (v.outcome === 'sanitize' && v.sanitized) {
      v.sanitized = { text: rewriteSpan(facts.text, c.span, c.kind, Number(v.sanitized.value)) };
    }
    if (v.outcome === 'needs_approval') v.bound = extended(v.bound ?? {}, { text: facts.text });
    earlier.push(...(v.concessions ?? []));
    out.push(v);
  }
  for (const span of facts.riskyPhrases) {
    out.push(
      allow(
        reason(
          'say.risky_phrase',
          'A hypothetical offer is not an offer, but it is risky wording.',
          {},
          evidenceOf(facts, span),
        ),
      ),
    );
  }
  if (ctx.redactPii && facts.pii.length > 0) {
    out.push({
      outcome: 'sanitize',
      rationale: [
        reason(
          'pii.redacted',
          `Personal data (${[...new Set(facts.pii.map((p) => p.kind))].join(', ')}) is redacted before sending.`,
          { kinds: facts.pii.map((p) => p.kind) },
        ),
      ],
      sanitized: { text: ctx.redact(facts.text, facts) },
    });
  }
  return out;
}

/** Whether the words include every disclosure this session requires. */
export function disclosesAll(view: SessionView, facts: UtteranceFacts): boolean {
  if (facts.text.trim() === view.policy.policy.consent.disclosure_text.trim()) return true;
  const consent = view.policy.policy.consent;
  const needsAI = consent.require_ai_disclosure;
  const needsRecording =
    view.meta.channel === 'voice' &&
    (consent.recording_disclosure === 'always' ||
      (consent.recording_disclosure === 'all_party_states' &&
        consent.all_party_states.includes(view.meta.jurisdiction)));
  return (!needsAI || facts.disclosesAI) && (!needsRecording || facts.disclosesRecording);
}

function rewriteSpan(text: string, span: Span, kind: string, value: number): string {
  const words =
    kind === 'percent_off' ? `${value} percent off` : kind === 'amount_off' ? `$${value} off` : String(value);
  return `${text.slice(0, span[0])}${words}${text.slice(span[1])}`;
}
