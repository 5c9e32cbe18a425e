import { Policy } from '../../policies/schema.ts';
import type { Decision, Directive } from '../model/index.ts';
import { type LoadedPolicy, versionOf } from '../policy/index.ts';
import type { Recording } from './recording.ts';
import { SessionRunner } from './runner.ts';

export interface ReplayResult {
  sessionId: string;
  recordedVersion: string;
  replayVersion: string;
  mode: 'exact' | 'candidate';
  decisions: Decision[];
  directives: Directive[];
  inputs: number;
  skipped: number;
  timersFired: number;
  /** Recorded call time: first to last input. */
  callMs: number;
}

/** The policy a recording started on, from its header. */
export function recordedPolicy(recording: Recording): LoadedPolicy {
  return versionOf(Policy.parse(recording.header.policy));
}

/** Re-runs one recorded session through the statechart, on `candidate` (default: the recorded version). */
export function replayRecording(recording: Recording, candidate?: LoadedPolicy): ReplayResult {
  const recorded = recordedPolicy(recording);
  const policy = candidate ?? recorded;
  const mode = policy.version === recorded.version ? 'exact' : 'candidate';
  const runner = new SessionRunner(recording.header.meta, policy, mode);
  recording.inputs.forEach((input, i) => {
    runner.feed(input, recording.unrecordedBefore?.get(i) ?? 0);
  });
  runner.stop();
  const first = recording.inputs[0]?.at ?? 0;
  const last = recording.inputs.at(-1)?.at ?? first;
  return {
    sessionId: recording.header.meta.sessionId,
    recordedVersion: recording.header.policyVersion,
    replayVersion: policy.version,
    mode,
    decisions: runner.decisions,
    directives: runner.directives,
    inputs: recording.inputs.length,
    skipped: runner.skipped,
    timersFired: runner.timersFired,
    callMs: last - first,
  };
}
