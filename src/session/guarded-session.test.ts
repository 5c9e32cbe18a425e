import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, meta, started, T0 } from '../../test/support/sessions.ts';
import { GuardedSession } from './guarded-session.ts';
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

describe('coalescing speech is invisible', () => {
  const texts = [
    'so what we could do is',
    'okay tell me more about the onboarding',
    'please take me off your list',
    'yes you can record this call',
    "no, I don't want to be recorded",
    'wait, am I talking to a robot?',
    'sure, sounds good',
  ];
  const step = fc.oneof(
    fc.record({
      kind: fc.constant('speech' as const),
      speaker: fc.constantFrom('agent' as const, 'customer' as const),
      text: fc.constantFrom(...texts),
      isFinal: fc.boolean(),
      confidence: fc.constantFrom(0.3, 0.95),
    }),
    fc.record({ kind: fc.constant('tick' as const) }),
    fc.record({ kind: fc.constant('propose' as const), text: fc.constantFrom('I can do ten percent off', 'hello') }),
  );
  const script = fc.array(fc.tuple(step, fc.integer({ min: 0, max: 40_000 })), { maxLength: 40 });

  it('outputs, deadlines and the gate view match a session that gives every transcript to the statechart', () => {
    fc.assert(
      fc.property(script, fc.boolean(), (steps, disclose) => {
        const sessions = [true, false].map((coalesceSpeech) => {
          const s = new GuardedSession(meta(), defaultPolicy(), undefined, { coalesceSpeech });
          s.apply({ type: 'start', at: T0 });
          return s;
        });
        let at = T0;
        let n = 0;
        for (const [st, dt] of [...(disclose ? [[{ kind: 'disclose' as const }, 500] as const] : []), ...steps]) {
          at += dt;
          n += 1;
          const input: SessionInput =
            st.kind === 'speech'
              ? {
                  type: 'transcript',
                  at,
                  speaker: st.speaker,
                  text: st.text,
                  isFinal: st.isFinal,
                  confidence: st.confidence,
                }
              : st.kind === 'tick'
                ? { type: 'tick', at }
                : {
                    type: 'propose',
                    at,
                    proposal: {
                      id: `p${n}`,
                      sessionId: 's1',
                      kind: 'say',
                      params: {
                        text: st.kind === 'disclose' ? defaultPolicy().policy.consent.disclosure_text : st.text,
                      },
                    },
                  };
          const [a, b] = sessions.map((s) => JSON.stringify(s.apply(input)));
          expect(a).toBe(b);
          const [x, y] = sessions as [GuardedSession, GuardedSession];
          expect(x.nextDeadline()).toBe(y.nextDeadline());
          expect(x.view()).toEqual(y.view());
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('rewinding the input the store could not record', () => {
  const propose = (s: GuardedSession, at: number, id: string, kind: string, params: object) =>
    s.apply({ type: 'propose', at, proposal: { id, sessionId: s.meta.sessionId, kind, params } });
  const decisionOf = (outputs: SessionOutput[]) => outputs.find((o) => o.type === 'decision');

  it('puts the session back as it was before a handoff, so the next proposal is decided under the old mandate', () => {
    const s = started({ meta: { role: 'booking', direction: 'inbound' } });
    s.apply({
      type: 'transcript',
      at: T0 + 2000,
      speaker: 'customer',
      text: 'Yes, that is fine.',
      isFinal: true,
      confidence: 0.95,
    });
    const viewBefore = s.view();
    const before = s.mark();
    const handoff = decisionOf(propose(s, T0 + 3000, 'h', 'role_handoff', { to: 'closing' }));
    expect(handoff).toMatchObject({ decision: { outcome: 'allow' } });
    expect(s.view().role).toBe('closing');

    expect(s.rewind(before)).toBe(true);
    expect(s.view().role).toBe('booking');
    expect(s.view()).toEqual(viewBefore);
    const concession = decisionOf(propose(s, T0 + 4000, 'c', 'concession', { type: 'percent_off', value: 5 }));
    expect(concession).toMatchObject({ decision: { outcome: 'deny' } });
    // The undone input keeps its number: no decision id is given out twice.
    expect(concession?.type === 'decision' && concession.decision.id).toBe(`s1:d${before.seq + 2}`);
  });

  it('refuses once a later input was applied on top of it', () => {
    const s = started({ meta: { role: 'booking', direction: 'inbound' } });
    const before = s.mark();
    propose(s, T0 + 3000, 'h', 'role_handoff', { to: 'closing' });
    s.apply({ type: 'tick', at: T0 + 3500 });
    const role = s.view().role;
    expect(s.rewind(before)).toBe(false);
    expect(s.view().role).toBe(role);
  });

  it('keeps speech not yet given to the statechart, so the silence clock is unchanged', () => {
    const s = started();
    s.apply(speech(T0 + 5000, 'agent'));
    const before = s.mark();
    propose(s, T0 + 6000, 'x', 'concession', { type: 'percent_off', value: 5 });
    expect(s.rewind(before)).toBe(true);
    expect(s.nextDeadline()).toBe(T0 + 5000 + silenceMs);
  });
});
