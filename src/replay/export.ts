import { GuardlineError } from '../errors/index.ts';
import { parsePolicy } from '../policy/index.ts';
import { isFailClosed } from '../runtime/fail-closed.ts';
import { SessionInput } from '../session/inputs.ts';
import type { Store } from '../store/types.ts';
import { RECORDING_FORMAT, type Recording } from './recording.ts';

/** Reads a session's recording from the store: its inputs in `seq` order, decisions and directives. */
export async function exportRecording(store: Store, sessionId: string): Promise<Recording> {
  const session = await store.sessions.get(sessionId);
  if (!session) throw new GuardlineError('GL_STORE_NOT_FOUND', `No session ${sessionId}.`);
  const version = await store.policies.get(session.policyVersion);
  if (!version)
    throw new GuardlineError('GL_STORE_NOT_FOUND', `The policy version ${session.policyVersion} is not in the store.`);
  const parsed = parsePolicy(version.yaml);
  if (!parsed.ok) throw new GuardlineError('GL_POLICY_INVALID', `Stored policy ${version.id} no longer validates.`);
  const rows = await store.inputs.list(sessionId);
  // Input numbers start at 1; a number missing from the store is an input the session applied,
  // could not record and undid (live-session.ts): the replay must skip it too.
  const unrecordedBefore = new Map<number, number>();
  let previous = 0;
  const inputs = rows.map((row, i) => {
    const input = SessionInput.safeParse(row.payload);
    if (!input.success)
      throw new GuardlineError('GL_RECORDING_INVALID', `Input ${row.seq} of ${sessionId} is malformed.`);
    if (row.seq > previous + 1) unrecordedBefore.set(i, row.seq - previous - 1);
    previous = row.seq;
    return input.data;
  });
  return {
    header: {
      type: 'session',
      format: RECORDING_FORMAT,
      meta: session.meta,
      policyVersion: session.policyVersion,
      policy: parsed.loaded.policy,
    },
    inputs,
    unrecordedBefore,
    // A fail-closed deny answers an input the session never applied: replay cannot reproduce it.
    decisions: (await store.decisions.listBySession(sessionId)).filter((d) => !isFailClosed(d)),
    directives: await store.directives.listBySession(sessionId),
  };
}
