import type { Proposal } from '../../model/proposal.ts';
import type { SessionView, Verdict } from '../types.ts';
import { deny, reason } from '../verdict.ts';

/** Kinds that need Guardline to understand the conversation; held while transcription is lost. */
const NEEDS_UNDERSTANDING = new Set<Proposal['kind']>(['say', 'concession', 'role_handoff']);
/** Kinds that only narrow what happens: allowed even after an opt-out or during a hold. */
const NARROWING = new Set<Proposal['kind']>(['end_call']);

/**
 * Preconditions every proposal meets before its own rules: the session is live, not held, the
 * customer has not opted out or declined, transcription is there when it must be.
 */
export function sessionStateVerdict(view: SessionView, proposal: Proposal): Verdict | null {
  const kind = proposal.kind;
  if (view.lifecycle === 'ended') {
    return deny(reason('session.ended', 'The session has ended; nothing more can happen in it.', {}), {
      code: 'GL_SESSION_ENDED',
    });
  }
  if (view.lifecycle === 'connecting') {
    return deny(reason('session.not_started', 'The session has not started yet: send hello first.', {}));
  }
  if (NARROWING.has(kind)) return null;
  if (view.consent === 'opted_out' && !isDoNotCallWrite(view, proposal) && !isOptOutLine(view, proposal)) {
    return deny(
      reason(
        'consent.opted_out',
        'The customer opted out: only the approved goodbye, ending the call and the do-not-call mark are allowed.',
        { kind },
      ),
    );
  }
  if (view.consent === 'declined' && kind !== 'say' && kind !== 'crm_write') {
    return deny(
      reason('consent.declined', 'The customer declined recording: close politely; nothing else may be done.', {
        kind,
      }),
    );
  }
  if (view.holdReason !== null) {
    return deny(reason('control.hold', `The session is on hold: ${view.holdReason}`, { kind }));
  }
  if (view.consent === 'required' && kind === 'book_meeting') {
    return deny(reason('consent.disclose_first', 'Make the required disclosure before booking anything.', { kind }));
  }
  if (view.transcriptionLost && NEEDS_UNDERSTANDING.has(kind)) {
    return deny(
      reason(
        'GL_TRANSCRIPTION_LOST',
        'Transcription is lost past its grace period, so this is held until it recovers.',
        { kind },
      ),
      { code: 'GL_TRANSCRIPTION_LOST' },
    );
  }
  if (view.lifecycle === 'wrapping_up' && kind !== 'say' && kind !== 'crm_write' && kind !== 'send_message') {
    return deny(
      reason('session.wrapping_up', 'The call is being ended: only closing words and record-keeping remain.', { kind }),
    );
  }
  return null;
}

/** The policy's acknowledgement of an opt-out, word for word: the only thing left to say. */
function isOptOutLine(view: SessionView, proposal: Proposal): boolean {
  return proposal.kind === 'say' && proposal.params.text.trim() === view.policy.policy.consent.opt_out_line.trim();
}

export function isDoNotCallWrite(view: SessionView, proposal: Proposal): boolean {
  if (proposal.kind !== 'crm_write') return false;
  const dnc = view.policy.policy.crm.do_not_call;
  const props = Object.entries(proposal.params.properties);
  return (
    proposal.params.object === dnc.object &&
    props.length === 1 &&
    props[0]?.[0] === dnc.property &&
    String(props[0]?.[1]) === dnc.value
  );
}
