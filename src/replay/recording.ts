import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { canonicalJson } from '../model/canonical-json.ts';
import { Decision, Directive, SessionMeta } from '../model/index.ts';
import { SessionInput } from '../session/inputs.ts';

export const RECORDING_FORMAT = 'guardline-recording/1';

/** First line: who the session was, and the whole policy it started on (so it replays on its own). */
export const RecordingHeader = z.object({
  type: z.literal('session'),
  format: z.literal(RECORDING_FORMAT),
  meta: SessionMeta,
  policyVersion: z.string().min(1),
  policy: z.unknown(),
});
export type RecordingHeader = z.infer<typeof RecordingHeader>;

const RecordedDecisionLine = z.object({ type: z.literal('recorded_decision'), decision: Decision });
/** Inputs the live session applied, could not record and undid (the store failed): their numbers are used. */
const UnrecordedInputsLine = z.object({ type: z.literal('unrecorded_inputs'), count: z.number().int().positive() });
const RecordedDirectiveLine = z.object({ type: z.literal('recorded_directive'), directive: Directive });

/**
 * A session's recording: its inputs in order (exactly as the store recorded them, law 6) and what
 * the runtime decided and directed, to check a replay against byte for byte.
 */
export interface Recording {
  header: RecordingHeader;
  inputs: SessionInput[];
  /**
   * Input index -> how many inputs just before it the live session applied but could not record
   * (and undid): replay skips their numbers. Absent or empty when every input was recorded.
   */
  unrecordedBefore?: ReadonlyMap<number, number>;
  decisions: Decision[];
  directives: Directive[];
}

/**
 * JSON Lines: the header, one `SessionInput` per line (an `unrecorded_inputs` line before an input
 * that followed unrecorded ones), then `recorded_decision` / `recorded_directive` lines.
 */
export function formatRecording(r: Recording): string {
  const lines = [
    canonicalJson(r.header),
    ...r.inputs.flatMap((input, i) => {
      const count = r.unrecordedBefore?.get(i) ?? 0;
      const line = canonicalJson(input);
      return count > 0 ? [canonicalJson({ type: 'unrecorded_inputs', count }), line] : [line];
    }),
    ...r.decisions.map((decision) => canonicalJson({ type: 'recorded_decision', decision })),
    ...r.directives.map((directive) => canonicalJson({ type: 'recorded_directive', directive })),
  ];
  return `${lines.join('\n')}\n`;
}

/** Parses and validates a recording; a bad line is `GL_RECORDING_INVALID` naming the line. */
export function parseRecording(text: string, name = 'recording'): Recording {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const fail = (line: number, why: string): never => {
    throw new GuardlineError('GL_RECORDING_INVALID', `${name}:${line}: ${why}`);
  };
  const json = (line: string, n: number): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      return fail(n, 'not JSON');
    }
  };
  const first = lines[0];
  if (first === undefined) return fail(1, 'empty recording');
  const header = RecordingHeader.safeParse(json(first, 1));
  if (!header.success) return fail(1, `not a session header (${header.error.issues[0]?.message})`);
  const unrecordedBefore = new Map<number, number>();
  const out: Recording = { header: header.data, inputs: [], unrecordedBefore, decisions: [], directives: [] };
  lines.slice(1).forEach((line, i) => {
    const n = i + 2;
    const value = json(line, n) as { type?: unknown };
    if (value?.type === 'unrecorded_inputs') {
      const gap = UnrecordedInputsLine.safeParse(value);
      if (!gap.success) fail(n, `bad unrecorded_inputs (${gap.error.issues[0]?.message})`);
      else if (out.decisions.length + out.directives.length > 0) fail(n, 'an input after the recorded decisions');
      else unrecordedBefore.set(out.inputs.length, (unrecordedBefore.get(out.inputs.length) ?? 0) + gap.data.count);
    } else if (value?.type === 'recorded_decision') {
      const d = RecordedDecisionLine.safeParse(value);
      if (!d.success) fail(n, `bad recorded_decision (${d.error.issues[0]?.message})`);
      else out.decisions.push(d.data.decision);
    } else if (value?.type === 'recorded_directive') {
      const d = RecordedDirectiveLine.safeParse(value);
      if (!d.success) fail(n, `bad recorded_directive (${d.error.issues[0]?.message})`);
      else out.directives.push(d.data.directive);
    } else {
      const input = SessionInput.safeParse(value);
      if (!input.success)
        fail(n, `bad input (${input.error.issues[0]?.path.join('.')}: ${input.error.issues[0]?.message})`);
      else if (out.decisions.length + out.directives.length > 0) fail(n, 'an input after the recorded decisions');
      else out.inputs.push(input.data);
    }
  });
  return out;
}
