import type { DecisionEffects, Override } from '../../machines/session/types.ts';
import type { UtteranceFacts } from '../analysis/types.ts';
import type { Decision } from '../model/decision.ts';
import { Proposal } from '../model/proposal.ts';
import { checkCallingWindow } from './calling-window.ts';
import { checkOverride, paramsHash } from './override.ts';
import {
  endCallVerdict,
  extendVerdict,
  handoffVerdict,
  meetingVerdict,
  tierOf,
  transferVerdict,
} from './rules/acts.ts';
import { applyBudget } from './rules/budget.ts';
import { concessionVerdict } from './rules/concession.ts';
import { crmWriteVerdict } from './rules/crm-write.ts';
import { sessionStateVerdict } from './rules/session-state.ts';
import { disclosesAll, speechVerdicts } from './rules/speech.ts';
import { tierVerdict } from './tiers.ts';
import type { Analyzer, SessionView, Verdict } from './types.ts';
import { combine, deny, reason } from './verdict.ts';

export interface DecideInput {
  view: SessionView;
  /** Raw proposal from the outside; validated here. */
  proposal: unknown;
  at: number;
  /** The input's sequence number in the session: the decision id and `stateRef` come from it. */
  seq: number;
  analyze: Analyzer;
  redact: (text: string, facts: UtteranceFacts) => string;
}

export interface DecideResult {
  decision: Decision;
  effects: DecisionEffects;
  /** The validated proposal, or null when it was malformed. */
  proposal: Proposal | null;
}

/**
 * Effects with every field written out (no spread of a shared object: on V8 a spread followed by
 * more properties takes a slow path that cost the gate several microseconds per decision).
 */
function effectsOf(concessions: DecisionEffects['concessions'], overrideUsed: string | null): DecisionEffects {
  return {
    concessions,
    disclosed: false,
    disclosedAI: false,
    handoffTo: null,
    handoffDenied: null,
    extendSeconds: 0,
    overrideUsed,
    pending: null,
  };
}

/** What a decision that changes nothing in the statechart carries. */
export const NO_EFFECTS: DecisionEffects = Object.freeze(effectsOf([], null));

type DecisionBase = Pick<Decision, 'id' | 'proposalId' | 'sessionId' | 'policyVersion' | 'stateRef' | 'at'>;

/** A decision with its fields written out, for the same reason as `effectsOf`. */
function decisionOf(
  base: DecisionBase,
  kind: Decision['kind'],
  outcome: Decision['outcome'],
  rationale: Decision['rationale'],
): Decision {
  return {
    id: base.id,
    proposalId: base.proposalId,
    sessionId: base.sessionId,
    policyVersion: base.policyVersion,
    stateRef: base.stateRef,
    at: base.at,
    kind,
    outcome,
    rationale,
  };
}

/**
 * The gate: decides one proposal against the session's state and policy. Pure and deterministic
 * (law 6). Fails closed (law 2): a malformed proposal, an unknown kind or an internal error is a
 * `deny` with a `GL_*` code, never an `allow`.
 */
export function decide(input: DecideInput): DecideResult {
  const { view, at, seq } = input;
  const id = `${view.meta.sessionId}:d${seq}`;
  const raw = input.proposal as { id?: unknown; kind?: unknown } | null;
  const proposalId = typeof raw?.id === 'string' ? raw.id : `unknown-${seq}`;
  const base: DecisionBase = {
    id,
    proposalId,
    sessionId: view.meta.sessionId,
    policyVersion: view.policy.version,
    stateRef: { seq, state: view.state },
    at,
  };
  const parsed = Proposal.safeParse(input.proposal);
  if (!parsed.success || parsed.data.sessionId !== view.meta.sessionId) {
    const why = parsed.success
      ? `it names session ${parsed.data.sessionId}, not this one`
      : parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || 'proposal'}: ${i.message}`)
          .join('; ');
    const kind = parsed.success ? parsed.data.kind : 'unknown';
    const decision = decisionOf(base, kind, 'deny', [
      reason('GL_PROPOSAL_INVALID', `The proposal was malformed and is denied: ${why}.`, {}),
    ]);
    decision.code = 'GL_PROPOSAL_INVALID';
    return { decision, effects: NO_EFFECTS, proposal: null };
  }
  const proposal = parsed.data;
  try {
    const { verdict, facts } = evaluate(input, proposal);
    return assemble(input, proposal, applyBudget(input.view, verdict), facts, base);
  } catch (e) {
    const decision = decisionOf(base, proposal.kind, 'deny', [
      reason('GL_GATE_INTERNAL', 'Guardline could not decide this and denies it (fail closed).', {
        error: (e as Error).message,
      }),
    ]);
    decision.code = 'GL_GATE_INTERNAL';
    return { decision, effects: NO_EFFECTS, proposal };
  }
}

function evaluate(input: DecideInput, proposal: Proposal): { verdict: Verdict; facts: UtteranceFacts | null } {
  const { view, at } = input;
  const blocked = sessionStateVerdict(view, proposal);
  if (blocked) return { verdict: blocked, facts: null };
  const overrideCheck = checkOverride(view, proposal, at);
  if (overrideCheck && 'verdict' in overrideCheck) return { verdict: overrideCheck.verdict, facts: null };
  const override = overrideCheck?.override ?? null;

  switch (proposal.kind) {
    case 'say':
    case 'send_message': {
      const facts = input.analyze(proposal.params.text, 'agent');
      const redactPii =
        view.policy.policy.speech.redact_pii_in_messages &&
        (proposal.kind === 'send_message' || view.meta.channel === 'message');
      const verdicts = [
        withOverride(
          tierVerdict(
            tierOf(view, proposal.kind),
            proposal.kind === 'say' ? 'Speaking' : 'Sending a message',
            `${proposal.kind}.tier`,
            { role: view.role },
            { text: proposal.params.text },
          ),
          override,
        ),
        ...speechVerdicts(view, facts, { proposalId: proposal.id, override, redactPii, redact: input.redact }),
      ];
      const w =
        proposal.kind === 'send_message'
          ? checkCallingWindow(view.policy.policy, view.meta.jurisdiction, view.meta.timezone, at)
          : null;
      if (w && !w.open) {
        verdicts.push(
          deny(
            reason(
              'calling_window.quiet_hours',
              `It is ${w.localTime ?? 'an unknown time'} for the customer; messages may be sent ${w.window.start}–${w.window.end}.`,
              { ...w },
            ),
          ),
        );
      }
      return { verdict: combine(verdicts), facts };
    }
    case 'concession':
      return {
        verdict: concessionVerdict(view, proposal.params, { proposalId: proposal.id, earlier: [], override }),
        facts: null,
      };
    case 'crm_write':
      return { verdict: withOverride(crmWriteVerdict(view, proposal), override), facts: null };
    case 'transfer':
      return { verdict: withOverride(transferVerdict(view, proposal), override), facts: null };
    case 'extend_call':
      return { verdict: withOverride(extendVerdict(view, proposal), override), facts: null };
    case 'book_meeting':
      return { verdict: withOverride(meetingVerdict(view, proposal), override), facts: null };
    case 'role_handoff':
      return { verdict: withOverride(handoffVerdict(view, proposal), override), facts: null };
    case 'end_call':
      return { verdict: endCallVerdict(), facts: null };
  }
}

/** A verified override turns a held act into an allowed one — only a hold, never a deny. */
function withOverride(v: Verdict, override: Override | null): Verdict {
  if (!override || v.outcome !== 'needs_approval') return v;
  return {
    outcome: 'allow',
    rationale: [
      reason('override.used', `Approved by ${override.approvers.join(' and ')} (override ${override.id}).`, {
        override: override.id,
        approval: override.approvalId,
      }),
      ...v.rationale,
    ],
    overrideUsed: override.id,
  };
}

function assemble(
  input: DecideInput,
  proposal: Proposal,
  verdict: Verdict,
  facts: UtteranceFacts | null,
  base: DecisionBase,
): DecideResult {
  const { view, at } = input;
  const policy = view.policy.policy;
  const decision = decisionOf(base, proposal.kind, verdict.outcome, verdict.rationale);
  if (verdict.code) decision.code = verdict.code;
  if (verdict.sanitized) decision.sanitized = verdict.sanitized;
  if (verdict.overrideUsed) decision.overrideId = verdict.overrideUsed;
  const goesAhead = verdict.outcome === 'allow' || verdict.outcome === 'sanitize';
  const effects = effectsOf(
    goesAhead ? (verdict.concessions ?? []) : [],
    goesAhead ? (verdict.overrideUsed ?? null) : null,
  );
  if (goesAhead && facts && proposal.kind === 'say') {
    effects.disclosedAI = facts.disclosesAI;
    effects.disclosed = view.consent === 'required' && disclosesAll(view, facts);
  }
  if (goesAhead && proposal.kind === 'role_handoff') effects.handoffTo = proposal.params.to;
  if (verdict.outcome === 'deny' && proposal.kind === 'role_handoff') {
    effects.handoffDenied = { to: proposal.params.to, reason: verdict.rationale.map((r) => r.message).join(' ') };
  }
  if (goesAhead && proposal.kind === 'extend_call') effects.extendSeconds = proposal.params.seconds;
  if (verdict.outcome === 'needs_approval') {
    const deadline = at + policy.timeouts.approval_wait_seconds * 1000;
    decision.approval = {
      id: `${decision.id}.approval`,
      kind: proposal.kind,
      bound: verdict.bound ?? {},
      paramsHash: paramsHash(proposal),
      reason: verdict.rationale.map((r) => r.message).join(' '),
      approverRole: policy.approvals.approver_role,
      approversRequired: policy.approvals.two_approvers_for.includes(proposal.kind) ? 2 : 1,
      deadline,
    };
    decision.fallback = policy.approvals.fallback_line;
    effects.pending = { approvalId: decision.approval.id, decisionId: decision.id, proposal, deadline };
  }
  return { decision, effects, proposal };
}
