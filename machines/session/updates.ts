/**
 * Pure context updates used by the session statechart's named actions. Each returns the part of
 * the context that changes.
 */
import type { Directive, DirectiveKind } from '../../src/model/directive.ts';
import { requiredDisclosures } from './guards.ts';
import type { SessionContext, SessionEvent } from './types.ts';

export interface DirectiveParams {
  kind: DirectiveKind;
  rule: string;
  message: string;
  say?: string;
}

/** The next directive of this session: ids count up, so replay gives the same ids. */
export function nextDirective(context: SessionContext, at: number, params: DirectiveParams): Directive {
  return {
    id: `${context.meta.sessionId}:x${context.directiveCount + 1}`,
    sessionId: context.meta.sessionId,
    kind: params.kind,
    rule: params.rule,
    message: params.message,
    ...(params.say === undefined ? {} : { say: params.say }),
    policyVersion: context.policy.version,
    at,
  };
}

export function disclosureDirective(context: SessionContext): DirectiveParams {
  const needed = requiredDisclosures(context).map((d) =>
    d === 'ai' ? 'that you are an AI' : 'that the call is recorded',
  );
  return {
    kind: 'disclose',
    rule: 'consent.disclosure_required',
    message: `Disclose ${needed.join(' and ')} before anything else (callee in ${context.meta.jurisdiction}).`,
    say: context.policy.policy.consent.disclosure_text,
  };
}

export function startClock(context: SessionContext, at: number): Partial<SessionContext> {
  return { startedAt: at, lastActivityAt: at, endsAt: at + context.policy.policy.timeouts.max_call_seconds * 1000 };
}

export function applyDecision(context: SessionContext, event: SessionEvent): Partial<SessionContext> {
  if (event.type !== 'DECIDED') return {};
  const { effects } = event;
  const sum = (unit: 'percent' | 'usd') =>
    effects.concessions.filter((c) => c.unit === unit).reduce((total, c) => total + (c.value ?? 0), 0);
  return {
    negotiation: {
      granted: effects.concessions.length
        ? [...context.negotiation.granted, ...effects.concessions]
        : context.negotiation.granted,
      cumulativePercent: context.negotiation.cumulativePercent + sum('percent'),
      cumulativeUsd: context.negotiation.cumulativeUsd + sum('usd'),
    },
    endsAt: context.endsAt + effects.extendSeconds * 1000,
    aiQuestionPending: context.aiQuestionPending && !effects.disclosedAI,
    overrides: effects.overrideUsed
      ? context.overrides.filter((o) => o.id !== effects.overrideUsed)
      : context.overrides,
    pending: effects.pending ?? context.pending,
  };
}
