import { describe, expect, it } from 'vitest';
import { defaultPolicy, started, T0 } from '../../test/support/sessions.ts';
import type { SessionInput } from './inputs.ts';
import type { SessionOutput } from './outputs.ts';

const silenceMs = defaultPolicy().policy.timeouts.silence_seconds * 1000;

function speech(at: number, speaker: 'agent' | 'customer', isFinal = false): SessionInput {
  return { type: 'transcript', at, speaker, text: 'so what we could do is', isFinal, confidence: 0.95 };
}

const silenceEnds = (outputs: SessionOutput[]) =>
  outputs.filter((o) => o.type === 'directive' && o.directive.rule === 'timeout.silence');

describe('speech and the silence clock', () => {
  it('counts silence from the latest speech, however many interim transcripts came before it', () => {
    const s = started();
    for (let at = T0 + 2000; at <= T0 + 9000; at += 250) s.apply(speech(at, at % 500 === 0 ? 'agent' : 'customer'));
    const last = T0 + 9000;
    expect(s.nextDeadline()).toBe(last + silenceMs);
    expect(silenceEnds(s.apply({ type: 'tick', at: last + silenceMs - 1 }))).toEqual([]);
    expect(silenceEnds(s.apply({ type: 'tick', at: last + silenceMs }))).toHaveLength(1);
  });

  it('gives speech to the statechart before the next event, so a tick right after speech sees it', () => {
    const s = started();
    const spoke = T0 + 1000 + silenceMs - 10;
    s.apply(speech(spoke, 'agent'));
    // Without the speech the session would be silent here (the disclosure was at T0 + 1000).
    expect(silenceEnds(s.apply({ type: 'tick', at: T0 + 1000 + silenceMs }))).toEqual([]);
    expect(s.nextDeadline()).toBe(spoke + silenceMs);
  });

  it('ignores speech once the call is over, as before', () => {
    const s = started();
    s.apply({ type: 'event', event: 'call_ended', at: T0 + 3000 });
    expect(s.ended).toBe(true);
    s.apply(speech(T0 + 4000, 'agent'));
    expect(s.nextDeadline()).toBeNull();
    expect(s.apply({ type: 'tick', at: T0 + 4000 + silenceMs })).toEqual([]);
  });
});
