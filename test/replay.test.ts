import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SampleScript, ScriptStep } from '../src/demo/scripts.ts';
import { simulateScript } from '../src/demo/simulate.ts';
import { canonicalJson } from '../src/model/canonical-json.ts';
import {
  compareRuns,
  formatRecording,
  parseRecording,
  proposalParams,
  replayRecording,
  totalsOf,
} from '../src/replay/index.ts';
import { defaultPolicy, meta, policyWith, T0 } from './support/sessions.ts';

const DIR = fileURLToPath(new URL('./fixtures/recordings/', import.meta.url));
const bundled = readdirSync(DIR)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => ({ name: f, recording: parseRecording(readFileSync(`${DIR}${f}`, 'utf8'), f) }));

describe('replay: law 6 on the bundled recordings', () => {
  it('bundles the five sample sessions', () => {
    expect(bundled.map((b) => b.name).sort()).toEqual(
      ['booking-call', 'closing-approval', 'message-thread', 'opt-out', 'voicemail'].map((n) => `${n}.jsonl`),
    );
  });

  it.each(bundled)('$name reproduces every decision and directive byte for byte', ({ recording }) => {
    const result = replayRecording(recording);
    expect(result.mode).toBe('exact');
    expect(canonicalJson(result.decisions)).toBe(canonicalJson(recording.decisions));
    expect(canonicalJson(result.directives)).toBe(canonicalJson(recording.directives));
    const diff = compareRuns(result.sessionId, recording, result, proposalParams(recording.inputs));
    expect(diff).toMatchObject({ identical: true, changed: 0, flips: [], timeouts: [] });
  });

  it('a recording round-trips through its JSON Lines form', () => {
    for (const { recording } of bundled) expect(parseRecording(formatRecording(recording))).toEqual(recording);
  });

  it('rejects a malformed line, naming it', () => {
    const text = readFileSync(`${DIR}opt-out.jsonl`, 'utf8').split('\n');
    text[2] = '{"type":"propose","at":-1}';
    expect(() => parseRecording(text.join('\n'), 'x.jsonl')).toThrow(/x\.jsonl:3/);
  });

  it('reads inputs the live session could not record as numbers to skip before the next input', () => {
    const text = readFileSync(`${DIR}opt-out.jsonl`, 'utf8').split('\n');
    text.splice(2, 0, '{"count":2,"type":"unrecorded_inputs"}');
    const recording = parseRecording(text.join('\n'));
    expect([...(recording.unrecordedBefore ?? [])]).toEqual([[1, 2]]);
    expect(parseRecording(formatRecording(recording))).toEqual(recording);
    text[2] = '{"count":0,"type":"unrecorded_inputs"}';
    expect(() => parseRecording(text.join('\n'), 'x.jsonl')).toThrow(/x\.jsonl:3: bad unrecorded_inputs/);
  });
});

describe('replay against a candidate', () => {
  const closing = bundled.find((b) => b.name === 'closing-approval.jsonl')?.recording;
  if (!closing) throw new Error('closing-approval recording missing');

  it('a tighter bound blocks the concessions it would have, with their amounts', () => {
    const tight = policyWith((p) => {
      p.roles.closing.concessions.auto_max_percent = 0;
      p.roles.closing.concessions.approval_max_percent = 10;
    });
    const result = replayRecording(closing, tight);
    expect(result.mode).toBe('candidate');
    const diff = compareRuns(result.sessionId, closing, result, proposalParams(closing.inputs));
    expect(diff.identical).toBe(false);
    expect(diff.flips).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ proposalId: 'small-discount', from: 'allow', to: 'needs_approval' }),
        expect.objectContaining({ proposalId: 'big-discount', from: 'needs_approval', to: 'deny' }),
      ]),
    );
    expect(diff.blockedConcessions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ proposalId: 'small-discount', value: 5, unit: 'percent' }),
        expect.objectContaining({ proposalId: 'big-discount', value: 20, unit: 'percent' }),
      ]),
    );
    const totals = totalsOf([diff]);
    expect(totals.blockedPercent).toBe(25);
    expect(totals.changed).toBe(diff.changed);
  });

  it('a shorter silence timeout fires earlier than recorded', () => {
    const script: SampleScript = {
      name: 'quiet',
      title: 'nobody speaks',
      meta: meta({ sessionId: 'quiet', direction: 'inbound', role: 'booking' }),
      steps: [
        { at: 1000, do: 'customer', text: 'Hello?' },
        { at: 200_000, do: 'event', event: 'call_ended' },
      ],
    };
    const recording = simulateScript(script, defaultPolicy(), T0);
    expect(recording.directives.some((d) => d.rule === 'timeout.silence')).toBe(true);
    const quick = policyWith((p) => {
      p.timeouts.silence_seconds = 20;
    });
    const result = replayRecording(recording, quick);
    const diff = compareRuns('quiet', recording, result, new Map());
    expect(diff.timeouts).toEqual([expect.objectContaining({ rule: 'timeout.silence', deltaSeconds: -25 })]);
  });
});

const customerLines = [
  'Yes, that is fine.',
  'Please stop calling me.',
  'Can you do better on the price?',
  'Are you a robot?',
  'Sounds good, send it over.',
  'I need to think about it.',
  'No, I do not want this call recorded.',
];
const step: fc.Arbitrary<Omit<ScriptStep, 'at'>> = fc.oneof(
  fc.constantFrom(...customerLines).map((text) => ({ do: 'customer' as const, text })),
  fc
    .record({
      do: fc.constant('propose' as const),
      id: fc.uuid(),
      kind: fc.constantFrom('say', 'concession', 'end_call', 'extend_call', 'transfer'),
      value: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ id, kind, value }) => ({
      do: 'propose' as const,
      id,
      kind,
      params:
        kind === 'say'
          ? { text: defaultPolicy().policy.consent.disclosure_text }
          : kind === 'concession'
            ? { type: 'percent_off', value }
            : kind === 'extend_call'
              ? { seconds: value * 30 + 30 }
              : kind === 'transfer'
                ? { target: 'sales-desk' }
                : {},
    })),
  fc.constant({ do: 'event' as const, event: 'voicemail' as const }),
);

describe('replay: law 6 on generated sessions', () => {
  it('every generated session replays exactly on its own version', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('booking', 'closing', 'transfer'),
        fc.constantFrom('inbound', 'outbound'),
        fc.array(fc.tuple(fc.integer({ min: 200, max: 90_000 }), step), { maxLength: 25 }),
        (role, direction, raw) => {
          let at = 0;
          const steps = raw.map(([gap, s]) => {
            at += gap;
            return { ...s, at } as ScriptStep;
          });
          const approvals = steps.flatMap((s, i) =>
            s.do === 'propose' && s.kind === 'concession' && i % 2 === 0
              ? [{ at: s.at + 100, do: 'approve' as const, proposalId: s.id, approver: 'm1' }]
              : [],
          );
          const script: SampleScript = {
            name: 'gen',
            title: 'generated',
            meta: meta({ sessionId: 'gen', role, direction }),
            steps: [...steps, ...approvals].sort((a, b) => a.at - b.at),
          };
          const recording = parseRecording(formatRecording(simulateScript(script, defaultPolicy(), T0)));
          const result = replayRecording(recording);
          expect(canonicalJson(result.decisions)).toBe(canonicalJson(recording.decisions));
          expect(canonicalJson(result.directives)).toBe(canonicalJson(recording.directives));
        },
      ),
      { numRuns: 60 },
    );
  });
});
