export {
  type BlockedConcession,
  compareRuns,
  type DecisionChange,
  proposalParams,
  type ReplayTotals,
  type SessionDiff,
  type TimeoutChange,
  totalsOf,
} from './compare.ts';
export { exportRecording } from './export.ts';
export { readRecording, recordingFiles } from './files.ts';
export { policyFromArg, storedPolicy } from './policy-source.ts';
export { formatRecording, parseRecording, RECORDING_FORMAT, type Recording, RecordingHeader } from './recording.ts';
export { type ReplayResult, recordedPolicy, replayRecording } from './replay.ts';
export { SessionRunner } from './runner.ts';
