import type { UtteranceFacts } from '../../src/analysis/types.ts';
import { checkCallingWindow } from '../../src/gate/calling-window.ts';
import type { Role } from '../../src/model/roles.ts';
import type { SessionContext, SessionEvent } from './types.ts';

type Args = { context: SessionContext; event: SessionEvent };

/**
 * Whether customer speech with these facts only moves the silence clock: no CUSTOMER_SAID guard
 * below fires on it (they read the opt-out, the consent answer and the "are you an AI?" question
 * only), so the statechart treats it exactly as AGENT_SPOKE.
 */
export function customerSpeechIsOnlyActivity(facts: UtteranceFacts): boolean {
  return !facts.optOut && facts.consent === null && !facts.asksIfAI;
}
const atOf = (event: SessionEvent) => event.at;

/** Named guards of the session statechart. Each reads only the context and the event. */
export const guards = {
  callingWindowOpen: ({ context, event }: Args) =>
    checkCallingWindow(context.policy.policy, context.meta.jurisdiction, context.meta.timezone, atOf(event)).open,
  /** Quiet hours stop outbound sales calls (inbound calls and replies are the customer's choice). */
  outboundOutsideWindow: ({ context, event }: Args) =>
    context.meta.direction === 'outbound' &&
    !checkCallingWindow(context.policy.policy, context.meta.jurisdiction, context.meta.timezone, atOf(event)).open,
  isVoice: ({ context }: Args) => context.meta.channel === 'voice',
  disclosureRequired: ({ context }: Args) => requiredDisclosures(context).length > 0,
  startsAs: ({ context }: Args, params: { role: Role }) => context.meta.role === params.role,

  maxDurationReached: ({ context, event }: Args) => context.meta.channel === 'voice' && atOf(event) >= context.endsAt,
  wrapUpWarningDue: ({ context, event }: Args) =>
    context.meta.channel === 'voice' &&
    atOf(event) >= context.endsAt - context.policy.policy.timeouts.wrap_up_warning_seconds * 1000,
  silenceExceeded: ({ context, event }: Args) =>
    context.meta.channel === 'voice' &&
    atOf(event) - context.lastActivityAt >= context.policy.policy.timeouts.silence_seconds * 1000,
  endGraceExpired: ({ context, event }: Args) =>
    context.endRequestedAt !== null &&
    atOf(event) - context.endRequestedAt >= context.policy.policy.timeouts.end_call_grace_seconds * 1000,
  leavesVoicemailMessage: ({ context }: Args) =>
    context.policy.policy.voicemail.action === 'leave_message' && context.policy.policy.voicemail.message !== null,

  // Customer speech: it may narrow at any confidence, and widen (consent) only when confident.
  customerOptedOut: ({ event }: Args) => event.type === 'CUSTOMER_SAID' && event.facts.optOut,
  customerDeclined: ({ event }: Args) => event.type === 'CUSTOMER_SAID' && event.facts.consent === 'declined',
  customerGrantedConfidently: ({ context, event }: Args) =>
    event.type === 'CUSTOMER_SAID' &&
    event.facts.consent === 'granted' &&
    event.confidence >= context.policy.policy.consent.confidence_threshold,
  customerAsksIfAI: ({ event }: Args) => event.type === 'CUSTOMER_SAID' && event.facts.asksIfAI,
  endsCallOnDecline: ({ context }: Args) => context.policy.policy.consent.on_decline === 'end_call',

  decisionDisclosed: ({ event }: Args) => event.type === 'DECIDED' && event.effects.disclosed,
  decisionHandsOffTo: ({ event }: Args, params: { role: Role }) =>
    event.type === 'DECIDED' && event.effects.handoffTo === params.role,
  decisionDeniesHandoff: ({ event }: Args) => event.type === 'DECIDED' && event.effects.handoffDenied !== null,
  decisionHolds: ({ event }: Args) => event.type === 'DECIDED' && event.effects.pending !== null,
  decisionUsedLastOverride: ({ context, event }: Args) =>
    event.type === 'DECIDED' &&
    event.effects.overrideUsed !== null &&
    context.overrides.every((o) => o.id === event.effects.overrideUsed),

  approvalForPending: ({ context, event }: Args) =>
    event.type === 'APPROVAL_RESOLVED' && context.pending?.approvalId === event.approvalId,
  approvalGranted: ({ context, event }: Args) =>
    event.type === 'APPROVAL_RESOLVED' &&
    context.pending?.approvalId === event.approvalId &&
    event.status === 'approved' &&
    event.override !== null,
  approvalDeadlinePassed: ({ context, event }: Args) =>
    context.pending !== null && atOf(event) >= context.pending.deadline,
  allOverridesExpired: ({ context, event }: Args) => context.overrides.every((o) => atOf(event) >= o.expiresAt),

  transcriptionGraceExpired: ({ context, event }: Args) =>
    context.transcriptionLostAt !== null &&
    atOf(event) - context.transcriptionLostAt >= context.policy.policy.timeouts.transcription_grace_seconds * 1000,
};

/** Disclosures the agent must make before anything of substance: AI, and recording where the law asks. */
export function requiredDisclosures(context: SessionContext): Array<'ai' | 'recording'> {
  const consent = context.policy.policy.consent;
  const out: Array<'ai' | 'recording'> = [];
  if (consent.require_ai_disclosure) out.push('ai');
  const recording =
    context.meta.channel === 'voice' &&
    (consent.recording_disclosure === 'always' ||
      (consent.recording_disclosure === 'all_party_states' &&
        consent.all_party_states.includes(context.meta.jurisdiction)));
  if (recording) out.push('recording');
  return out;
}
