import { completeTwilioCall, type TwilioRestConfig } from '../../telephony/twilio/rest.ts';
import { CLOSE_CODES } from '../client/protocol.ts';
import { isGuardlineError } from '../errors/index.ts';
import type { Directive } from '../model/index.ts';
import type { Store } from '../store/types.ts';
import type { LiveSession } from './live-session.ts';

/**
 * Ends a call whose agent ignored `end_call` past the grace period: tells the agent (a recorded
 * `end_call` directive, rule `enforce.end_call`), cuts and closes the Twilio stream, completes the
 * call through Twilio's REST API when credentials are configured, closes the agent's connection,
 * records what it did (a second directive, rule `enforce.end_call.done`), and ends the session.
 */
export function createEnforcer(deps: { store: Store; twilio: TwilioRestConfig | null; now: () => number }) {
  const record = async (session: LiveSession, suffix: string, rule: string, message: string): Promise<Directive> => {
    const directive: Directive = {
      id: `${session.id}:${suffix}`,
      sessionId: session.id,
      kind: 'end_call',
      rule,
      message,
      policyVersion: session.guarded.policy.version,
      at: deps.now(),
    };
    await deps.store.record({ actor: 'system', directive });
    return directive;
  };

  return async function enforce(session: LiveSession, _at: number): Promise<void> {
    const log = session.logger;
    const notice = await record(
      session,
      'enforced',
      'enforce.end_call',
      'The agent did not end the call within the grace period: Guardline is ending it now.',
    ).catch((e) => {
      log.error({ err: e }, 'could not record the enforcement notice; enforcing anyway (fail closed)');
      return null;
    });
    if (notice) session.agent?.send({ type: 'directive', directive: notice });
    const done: string[] = [];
    const stream = session.stream;
    if (stream) {
      if (stream.bidirectional) stream.clear();
      stream.close('Guardline enforced end_call');
      done.push('closed the Twilio media stream');
      if (deps.twilio) {
        try {
          const result = await completeTwilioCall(deps.twilio, stream.callSid);
          done.push(
            `completed call ${result.callSid} through Twilio's REST API (status ${result.status}, HTTP ${result.httpStatus})`,
          );
        } catch (e) {
          const code = isGuardlineError(e) ? e.code : 'error';
          done.push(
            `could not complete call ${stream.callSid} through Twilio's REST API (${code}: ${(e as Error).message})`,
          );
        }
      } else done.push('no Twilio credentials are configured, so the call was not completed through the REST API');
    }
    if (session.agent) {
      session.agent.close(CLOSE_CODES.enforcedEnd, 'end_call enforced');
      done.push('closed the agent connection');
    }
    await record(
      session,
      'enforced.done',
      'enforce.end_call.done',
      `Guardline ended the call: ${done.join('; ')}.`,
    ).catch((e) => log.error({ err: e }, 'could not record what the enforcement did'));
    log.warn({ actions: done }, 'end_call enforced');
    await session.submit({ type: 'event', event: 'call_ended' });
  };
}

export type Enforcer = ReturnType<typeof createEnforcer>;
