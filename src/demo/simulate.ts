import type { Decision, Directive } from '../model/index.ts';
import type { LoadedPolicy } from '../policy/index.ts';
import { RECORDING_FORMAT, type Recording } from '../replay/recording.ts';
import { GuardedSession } from '../session/guarded-session.ts';
import type { SessionInput } from '../session/inputs.ts';
import type { SampleScript, ScriptStep } from './scripts.ts';

/**
 * Runs a sample script through a real GuardedSession starting at `t0`, firing the session's timers
 * between steps as the live runtime does, and returns its recording (every input as applied, and
 * every decision and directive). The bundled recordings are made this way, so they replay exactly.
 */
export function simulateScript(script: SampleScript, policy: LoadedPolicy, t0: number): Recording {
  const session = new GuardedSession(script.meta, policy);
  const inputs: SessionInput[] = [];
  const decisions: Decision[] = [];
  const directives: Directive[] = [];
  let lastAt = t0;
  const apply = (input: SessionInput) => {
    lastAt = Math.max(lastAt, input.at);
    inputs.push(input);
    for (const o of session.apply(input)) {
      if (o.type === 'decision') decisions.push(o.decision);
      if (o.type === 'directive') directives.push(o.directive);
    }
  };
  apply({ type: 'start', at: t0 });
  for (const step of script.steps) {
    const at = t0 + step.at;
    for (let n = 0; n < 64 && !session.ended; n++) {
      const due = session.nextDeadline();
      if (due === null || due >= at || due <= lastAt) break;
      apply({ type: 'tick', at: due });
    }
    if (session.ended) break;
    const input = inputOf(step, at, script.meta.sessionId, decisions, policy);
    if (input) apply(input);
  }
  session.stop();
  return {
    header: {
      type: 'session',
      format: RECORDING_FORMAT,
      meta: script.meta,
      policyVersion: policy.version,
      policy: policy.policy,
    },
    inputs,
    decisions,
    directives,
  };
}

function inputOf(
  step: ScriptStep,
  at: number,
  sessionId: string,
  decisions: readonly Decision[],
  policy: LoadedPolicy,
): SessionInput | null {
  switch (step.do) {
    case 'customer':
      return {
        type: 'transcript',
        at,
        speaker: 'customer',
        text: step.text,
        isFinal: true,
        confidence: step.confidence ?? 0.95,
      };
    case 'agent':
      return { type: 'transcript', at, speaker: 'agent', text: step.text, isFinal: true, confidence: 1 };
    case 'propose':
      return {
        type: 'propose',
        at,
        proposal: { id: step.id, sessionId, kind: step.kind, params: step.params },
      };
    case 'event':
      return { type: 'event', at, event: step.event };
    case 'approve': {
      const held = decisions.find((d) => d.proposalId === step.proposalId && d.outcome === 'needs_approval');
      if (!held?.approval) return null;
      const approvalId = held.approval.id;
      return {
        type: 'approval',
        at,
        approvalId,
        status: 'approved',
        override: {
          id: `${approvalId}.override`,
          approvalId,
          kind: held.approval.kind,
          paramsHash: held.approval.paramsHash,
          bound: held.approval.bound,
          expiresAt: at + policy.policy.approvals.override_ttl_seconds * 1000,
          approvers: [step.approver],
        },
      };
    }
  }
}
