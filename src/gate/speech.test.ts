/** What the agent is about to say is decided as the acts it contains (issue 3's wiring into the gate). */
import { describe, expect, it } from 'vitest';
import { decideOn, policyWith, proposal, started, T0 } from '../../test/support/sessions.ts';

const say = (text: string) => proposal('say', { text });

describe('speech is decided as the acts it contains', () => {
  it.each([
    ['i can do thirty percent off if you sign today', 30],
    ['we could take 20% off the annual plan', 20],
    ['let me give you five percent off', 5],
  ])('"%s" is decided exactly as a concession of %i percent, quoting the words', (text, value) => {
    const spoken = decideOn(started(), say(text));
    const structured = decideOn(started(), proposal('concession', { type: 'percent_off', value }));
    expect(spoken.outcome).toBe(structured.outcome);
    const concessionRule = spoken.rationale.find((r) => r.rule.startsWith('concession.'));
    expect(concessionRule?.rule).toBe(structured.rationale[0]?.rule);
    expect(concessionRule?.message).toBe(structured.rationale[0]?.message);
    expect(concessionRule?.evidence?.text).toMatch(/percent|%/);
    const [from, to] = concessionRule?.evidence?.span ?? [0, 0];
    expect(text.slice(from, to)).toBe(concessionRule?.evidence?.text);
  });

  it('clips an over-cap concession in the words themselves', () => {
    const session = started({
      policy: policyWith((p) => {
        p.roles.closing.concessions.cumulative_max_percent = 25;
      }),
    });
    expect(decideOn(session, say('i can do ten percent off')).outcome).toBe('allow');
    expect(decideOn(session, say('and another ten percent off the first year')).outcome).toBe('allow');
    const d = decideOn(session, say('ok ten percent off the setup too'));
    expect(d.outcome).toBe('sanitize');
    expect(d.sanitized).toEqual({ text: 'ok 5 percent off the setup too' });
  });

  it('never lets the agent deny being an AI, and makes it answer the question truthfully', () => {
    const session = started();
    expect(decideOn(session, say("no, I'm a real person")).rationale.map((r) => r.rule)).toContain('say.denies_ai');
    const out = session.apply({
      type: 'transcript',
      at: T0 + 3000,
      speaker: 'customer',
      text: 'wait am i talking to a robot',
      isFinal: true,
      confidence: 0.5,
    });
    expect(out.flatMap((o) => (o.type === 'directive' ? [o.directive.rule] : []))).toEqual(['consent.ai_question']);
    expect(decideOn(session, say('so about the pricing')).rationale.map((r) => r.rule)).toContain(
      'say.must_disclose_ai',
    );
    expect(decideOn(session, say("yes, I'm an AI assistant from Acme")).outcome).toBe('allow');
    expect(decideOn(session, say('so about the pricing')).outcome).toBe('allow');
  });

  it('denies pressure tactics and holds commitments the role may not make alone', () => {
    const session = started();
    expect(
      decideOn(session, say('this price is only good today, you have to decide now')).rationale.map((r) => r.rule),
    ).toContain('say.pressure');
    const d = decideOn(session, say('I guarantee it will ship by Friday'));
    expect(d.outcome).toBe('needs_approval');
    expect(d.rationale.every((r) => r.rule === 'commitment.tier')).toBe(true);
  });

  it('a hypothetical is not an offer', () => {
    const d = decideOn(started(), say('if it were up to me I would give you 40%'));
    expect(d.outcome).toBe('allow');
    expect(d.rationale.map((r) => r.rule)).toContain('say.risky_phrase');
  });

  it('redacts personal data in messages sent on a thread', () => {
    const session = started({ meta: { channel: 'message' } });
    const d = decideOn(session, proposal('send_message', { text: 'reach Dana at dana@acme.example or 415-555-0134' }));
    expect(d.outcome).toBe('sanitize');
    expect(d.sanitized?.text).toBe('reach Dana at [email] or [phone]');
  });

  it('an offer in closing words is denied, as the same offer on its own would be', () => {
    const session = started();
    session.apply({ type: 'event', at: T0 + 3000, event: 'voicemail' });
    expect(session.view().lifecycle).toBe('wrapping_up');
    expect(decideOn(session, proposal('concession', { type: 'percent_off', value: 5 })).rationale[0]?.rule).toBe(
      'session.wrapping_up',
    );
    expect(decideOn(session, say('before you go, five percent off')).rationale.map((r) => r.rule)).toEqual([
      'session.wrapping_up',
    ]);
    expect(decideOn(session, say('thanks for your time, goodbye')).outcome).toBe('allow');
  });

  it('a drafted message waits for approval and goes out once approved', () => {
    const session = started({ meta: { role: 'transfer', channel: 'message' } });
    const held = decideOn(session, proposal('send_message', { text: 'Our billing team will call you back today.' }));
    expect(held.outcome).toBe('needs_approval');
    const approvalId = held.approval?.id ?? '';
    const out = session.apply({
      type: 'approval',
      at: T0 + 9000,
      approvalId,
      status: 'approved',
      override: {
        id: 'ov-msg',
        approvalId,
        kind: 'send_message',
        paramsHash: held.approval?.paramsHash ?? '',
        bound: held.approval?.bound ?? {},
        expiresAt: T0 + 300_000,
        approvers: ['maria'],
      },
    });
    const sent = out.find((o) => o.type === 'decision');
    expect(sent?.type === 'decision' && [sent.decision.outcome, sent.decision.overrideId]).toEqual(['allow', 'ov-msg']);
  });
});
