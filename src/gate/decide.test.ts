import { describe, expect, it } from 'vitest';
import { decideOn, defaultPolicy, meta, policyWith, proposal, started, T0 } from '../../test/support/sessions.ts';
import { GuardedSession } from '../session/guarded-session.ts';
import type { SessionOutput } from '../session/outputs.ts';

const rules = (d: { rationale: { rule: string }[] }) => d.rationale.map((r) => r.rule);
const messages = (d: { rationale: { message: string }[] }) => d.rationale.map((r) => r.message);
const directives = (out: SessionOutput[]) => out.flatMap((o) => (o.type === 'directive' ? [o.directive] : []));

describe('concessions (closing role: auto ≤ 10%, approval ≤ 25%, 3 per call, 30% in total)', () => {
  it.each([
    [5, 'allow', 'concession.within_bounds', '5% off is within bounds (5% of 30% on this call).'],
    [10, 'allow', 'concession.within_bounds', '10% off is within bounds (10% of 30% on this call).'],
    [
      15,
      'needs_approval',
      'concession.needs_approval',
      '15% off is above the 10% the agent may offer on its own (approval up to 25%).',
    ],
    [
      25,
      'needs_approval',
      'concession.needs_approval',
      '25% off is above the 10% the agent may offer on its own (approval up to 25%).',
    ],
    [26, 'deny', 'concession.above_bound', '26% off is above the 25% this role may offer even with approval.'],
  ])('%i%% off → %s', (value, outcome, rule, message) => {
    const d = decideOn(started(), proposal('concession', { type: 'percent_off', value }));
    expect(d.outcome).toBe(outcome);
    expect(rules(d)).toEqual([rule]);
    expect(messages(d)).toEqual([message]);
    expect(d.policyVersion).toBe(defaultPolicy().version);
  });

  it('a held concession carries an approval request with the exact bound and the fallback line', () => {
    const d = decideOn(started(), proposal('concession', { type: 'percent_off', value: 15 }));
    expect(d.approval).toMatchObject({
      kind: 'concession',
      bound: { type: 'percent_off', value: 15, unit: 'percent' },
      approversRequired: 1,
      approverRole: 'approver',
      deadline: T0 + 5000 + 90_000,
    });
    expect(d.fallback).toBe('Let me check with my manager on that; one moment.');
  });

  it('the booking role has no pricing authority', () => {
    const d = decideOn(
      started({ meta: { role: 'booking' } }),
      proposal('concession', { type: 'percent_off', value: 5 }),
    );
    expect(d.outcome).toBe('deny');
    expect(messages(d)).toEqual(['Offering 5% off is forbidden in this role.']);
  });

  it('clips a concession that only partly exceeds the cumulative cap', () => {
    const session = started({
      policy: policyWith((p) => {
        p.roles.closing.concessions.cumulative_max_percent = 25;
      }),
    });
    expect(decideOn(session, proposal('concession', { type: 'percent_off', value: 10 })).outcome).toBe('allow');
    expect(decideOn(session, proposal('concession', { type: 'percent_off', value: 10 })).outcome).toBe('allow');
    const d = decideOn(session, proposal('concession', { type: 'percent_off', value: 10 }));
    expect(d.outcome).toBe('sanitize');
    expect(d.sanitized).toEqual({ type: 'percent_off', value: 5 });
    expect(messages(d)).toEqual(['10% off would take this call past its 25% total; offer 5% instead.']);
    expect(session.view().negotiation.cumulativePercent).toBe(25);
  });

  it('denies instead of clipping when policy says so, and once the cap is reached', () => {
    const session = started({
      policy: policyWith((p) => {
        p.roles.closing.concessions.cumulative_max_percent = 15;
        p.roles.closing.concessions.over_cumulative = 'deny';
      }),
    });
    decideOn(session, proposal('concession', { type: 'percent_off', value: 10 }));
    const d = decideOn(session, proposal('concession', { type: 'percent_off', value: 10 }));
    expect(d.outcome).toBe('deny');
    expect(messages(d)).toEqual(['10% off would take this call past its 15% total (already 10%).']);
  });

  it('limits the number of concessions per call', () => {
    const session = started();
    for (let i = 0; i < 3; i++) decideOn(session, proposal('concession', { type: 'amount_off', value: 100 }));
    const d = decideOn(session, proposal('concession', { type: 'amount_off', value: 100 }));
    expect(d.outcome).toBe('deny');
    expect(messages(d)).toEqual(['3 concessions have already been granted on this call; the limit is 3.']);
  });

  it('holds further concessions while an approval is pending', () => {
    const session = started();
    const held = decideOn(session, proposal('concession', { type: 'percent_off', value: 20 }));
    const d = decideOn(session, proposal('concession', { type: 'percent_off', value: 2 }));
    expect(d.outcome).toBe('deny');
    expect(messages(d)).toEqual([
      `Held: approval ${held.approval?.id} is still pending, so no further concession may be offered until it resolves.`,
    ]);
  });

  it('checks prices against the floor, and fee waivers and price matching against their tiers', () => {
    const session = started();
    expect(messages(decideOn(session, proposal('concession', { type: 'price', value: 49 })))).toEqual([
      'Quoting a price of $49 is below the $99 floor.',
    ]);
    expect(
      decideOn(session, proposal('concession', { type: 'waived_fee', value: null, label: 'the setup fee' })).outcome,
    ).toBe('allow');
    expect(decideOn(session, proposal('concession', { type: 'price_match', value: null })).outcome).toBe(
      'needs_approval',
    );
  });
});

describe('approvals and one-time overrides (law 4)', () => {
  const grant = (
    session: GuardedSession,
    approvalId: string,
    at: number,
    bound: Record<string, unknown>,
    kind = 'concession',
    hash = 'h',
  ) =>
    session.apply({
      type: 'approval',
      at,
      approvalId,
      status: 'approved',
      override: {
        id: `ov-${approvalId}`,
        approvalId,
        kind,
        paramsHash: hash,
        bound,
        expiresAt: at + 300_000,
        approvers: ['maria'],
      },
    });

  it('an approval lets the held proposal through at once, and the override cannot be used twice', () => {
    const session = started();
    const p = proposal('concession', { type: 'percent_off', value: 20 });
    const held = decideOn(session, p);
    const out = grant(session, held.approval!.id, T0 + 20_000, held.approval!.bound);
    expect(out.find((o) => o.type === 'approval_result')).toMatchObject({ status: 'approved' });
    const d = out.find((o) => o.type === 'decision');
    expect(d?.type === 'decision' && d.decision).toMatchObject({
      outcome: 'allow',
      proposalId: p.id,
      overrideId: `ov-${held.approval!.id}`,
    });
    const again = decideOn(session, { ...p, id: 'again', override: `ov-${held.approval!.id}` }, T0 + 21_000);
    expect(again.outcome).toBe('deny');
    expect(rules(again)).toEqual(['override.not_usable']);
  });

  it('an expired approval is a deny decision with the policy fallback', () => {
    const session = started();
    const held = decideOn(session, proposal('concession', { type: 'percent_off', value: 20 }));
    expect(session.nextDeadline()).toBeLessThanOrEqual(held.approval!.deadline);
    const out = session.apply({ type: 'tick', at: held.approval!.deadline });
    expect(out.find((o) => o.type === 'approval_result')).toMatchObject({ status: 'expired' });
    const d = out.find((o) => o.type === 'decision');
    expect(d?.type === 'decision' && d.decision).toMatchObject({
      outcome: 'deny',
      fallback: defaultPolicy().policy.approvals.expired_line,
    });
  });

  it('a denied approval is a deny decision', () => {
    const session = started();
    const held = decideOn(session, proposal('concession', { type: 'percent_off', value: 20 }));
    const out = session.apply({
      type: 'approval',
      at: T0 + 9000,
      approvalId: held.approval!.id,
      status: 'denied',
      override: null,
    });
    const d = out.find((o) => o.type === 'decision');
    expect(d?.type === 'decision' && rules(d.decision)).toEqual(['approval.denied']);
  });

  it('an unused override is refused above its bound, for another kind, after expiry, and a second time', () => {
    const session = started();
    const held = decideOn(session, proposal('concession', { type: 'percent_off', value: 20 }));
    session.apply({ type: 'event', at: T0 + 6000, event: 'transcription_lost' });
    const hold = session.apply({ type: 'tick', at: T0 + 11_000 });
    expect(directives(hold).map((d) => [d.kind, d.rule])).toEqual([['hold', 'GL_TRANSCRIPTION_LOST']]);
    // Approved while transcription is lost: the held proposal cannot go through, so the override stays unused.
    const out = grant(session, held.approval!.id, T0 + 12_000, held.approval!.bound);
    const retried = out.find((o) => o.type === 'decision');
    expect(retried?.type === 'decision' && retried.decision.code).toBe('GL_TRANSCRIPTION_LOST');
    session.apply({ type: 'event', at: T0 + 13_000, event: 'transcription_restored' });
    const ov = `ov-${held.approval!.id}`;
    expect(
      rules(
        decideOn(session, proposal('concession', { type: 'percent_off', value: 22 }, { override: ov }), T0 + 14_000),
      ),
    ).toEqual(['override.above_bound']);
    expect(
      rules(decideOn(session, proposal('transfer', { target: 'billing' }, { override: ov }), T0 + 14_000)),
    ).toEqual(['override.wrong_kind']);
    expect(
      rules(
        decideOn(
          session,
          proposal('concession', { type: 'percent_off', value: 20 }, { override: ov }),
          T0 + 12_000 + 300_000,
        ),
      ),
    ).toEqual(['override.expired']);
    expect(
      decideOn(session, proposal('concession', { type: 'percent_off', value: 18 }, { override: ov }), T0 + 15_000)
        .outcome,
    ).toBe('allow');
    expect(
      rules(
        decideOn(session, proposal('concession', { type: 'percent_off', value: 18 }, { override: ov }), T0 + 16_000),
      ),
    ).toEqual(['override.not_usable']);
  });
});

describe('CRM writes (policy lists what each role may write; the rest is denied)', () => {
  it.each([
    [
      'booking',
      { object: 'note', properties: { hs_note_body: 'Booked a demo' } },
      'allow',
      'Creating a note is within this role\u2019s autonomy.',
    ],
    [
      'booking',
      { object: 'deal', id: '9', properties: { amount: 5000 } },
      'deny',
      'Writing deal.amount is forbidden in this role.',
    ],
    [
      'booking',
      { object: 'deal', id: '9', properties: { dealstage: 'closedwon' } },
      'needs_approval',
      'Writing deal.dealstage needs a manager\u2019s approval in this role.',
    ],
    [
      'transfer',
      { object: 'contact', id: '101', properties: { firstname: 'Ann' } },
      'deny',
      'Writing contact.firstname is forbidden in this role.',
    ],
  ] as const)('%s writes %j → %s', (role, params, outcome, message) => {
    const d = decideOn(started({ meta: { role } }), proposal('crm_write', params as never));
    expect(d.outcome).toBe(outcome);
    expect(messages(d)).toContain(message.replace('\u2019', "'"));
  });
});

describe('session rules', () => {
  it('fails closed on malformed or unknown proposals', () => {
    const session = started();
    for (const bad of [
      null,
      42,
      { id: 'x', sessionId: 's1', kind: 'teleport', params: {} },
      { id: 'y', sessionId: 's1', kind: 'concession', params: { type: 'percent_off', value: -3 } },
      { id: 'z', sessionId: 'other', kind: 'end_call', params: {} },
    ]) {
      const d = decideOn(session, bad);
      expect(d.outcome).toBe('deny');
      expect(d.code).toBe('GL_PROPOSAL_INVALID');
    }
  });

  it('an opt-out ends the call, marks do-not-call, and leaves only ending and the mark', () => {
    const session = started();
    const out = session.apply({
      type: 'transcript',
      at: T0 + 3000,
      speaker: 'customer',
      text: 'please take me off your list',
      isFinal: true,
      confidence: 0.4,
    });
    expect(directives(out).map((d) => [d.kind, d.rule])).toEqual([['end_call', 'consent.opt_out']]);
    expect(out.find((o) => o.type === 'do_not_call')).toMatchObject({
      write: { object: 'contact', id: '101', properties: { hs_do_not_call: 'true' } },
    });
    expect(rules(decideOn(session, proposal('concession', { type: 'percent_off', value: 5 })))).toEqual([
      'consent.opted_out',
    ]);
    expect(
      decideOn(session, proposal('crm_write', { object: 'contact', id: '101', properties: { hs_do_not_call: 'true' } }))
        .outcome,
    ).toBe('allow');
    expect(decideOn(session, proposal('end_call', {})).outcome).toBe('allow');
    const goodbye = directives(out)[0]?.say ?? '';
    expect(goodbye).toBe(defaultPolicy().policy.consent.opt_out_line);
    expect(decideOn(session, proposal('say', { text: goodbye })).outcome).toBe('allow');
    expect(
      rules(decideOn(session, proposal('say', { text: 'Before you go, we have a great offer this month.' }))),
    ).toEqual(['consent.opted_out']);
  });

  it('quiet hours: no outbound call before 08:00 or after 21:00 local, 20:00 in Florida', () => {
    const late = new GuardedSession(meta(), defaultPolicy());
    const out = late.apply({ type: 'start', at: Date.parse('2026-11-19T02:30:00Z') }); // 21:30 in New York
    expect(directives(out).map((d) => d.rule)).toEqual(['calling_window.quiet_hours']);
    expect(late.ended).toBe(true);
    const florida = new GuardedSession(meta({ jurisdiction: 'FL' }), defaultPolicy());
    expect(
      directives(florida.apply({ type: 'start', at: Date.parse('2026-11-19T01:30:00Z') })).map((d) => d.rule),
    ).toContain('calling_window.quiet_hours'); // 20:30
    const inbound = new GuardedSession(meta({ direction: 'inbound' }), defaultPolicy());
    inbound.apply({ type: 'start', at: Date.parse('2026-11-19T02:30:00Z') });
    expect(inbound.ended).toBe(false);
  });

  it('asks for the recording disclosure in all-party states', () => {
    const ca = new GuardedSession(meta({ jurisdiction: 'CA', timezone: 'America/Los_Angeles' }), defaultPolicy());
    const out = ca.apply({ type: 'start', at: T0 + 3 * 3600_000 });
    const [d] = directives(out);
    expect(d).toMatchObject({
      kind: 'disclose',
      rule: 'consent.disclosure_required',
      message: 'Disclose that you are an AI and that the call is recorded before anything else (callee in CA).',
    });
    expect(
      rules(decideOn(ca, proposal('concession', { type: 'percent_off', value: 5 }), T0 + 3 * 3600_000 + 10)),
    ).toEqual(['consent.disclose_first']);
    const meeting = proposal('book_meeting', { start: '2026-11-20T16:00:00Z', durationMinutes: 30 });
    expect(rules(decideOn(ca, meeting, T0 + 3 * 3600_000 + 20))).toEqual(['consent.disclose_first']);
  });

  it('transfers only to targets the role may use', () => {
    const session = started({ meta: { role: 'booking' } });
    expect(decideOn(session, proposal('transfer', { target: 'billing' })).rationale[0]?.message).toBe(
      'The booking role may not transfer to Billing.',
    );
    expect(decideOn(session, proposal('transfer', { target: 'sales-desk' })).outcome).toBe('allow');
    expect(decideOn(session, proposal('transfer', { target: 'nowhere' })).outcome).toBe('deny');
  });

  it('a handoff needs confident consent; the new role starts from its own mandate (law 5)', () => {
    const session = started();
    const denied = session.apply({
      type: 'propose',
      at: T0 + 1500,
      proposal: proposal('role_handoff', { to: 'booking' }),
    });
    expect(
      denied.map((o) =>
        o.type === 'decision' ? rules(o.decision) : o.type === 'directive' ? o.directive.kind : o.type,
      ),
    ).toEqual([['handoff.needs_consent'], 'handoff_denied']);
    session.apply({
      type: 'transcript',
      at: T0 + 2000,
      speaker: 'customer',
      text: 'yes that is fine',
      isFinal: true,
      confidence: 0.5,
    });
    expect(session.view().consent).toBe('disclosed'); // a mumble never widens
    session.apply({
      type: 'transcript',
      at: T0 + 3000,
      speaker: 'customer',
      text: 'yes that is fine',
      isFinal: true,
      confidence: 0.95,
    });
    expect(session.view().consent).toBe('granted');
    expect(decideOn(session, proposal('role_handoff', { to: 'booking' })).outcome).toBe('allow');
    expect(session.view().role).toBe('booking');
    expect(decideOn(session, proposal('concession', { type: 'percent_off', value: 5 })).outcome).toBe('deny');
    expect(decideOn(session, proposal('role_handoff', { to: 'transfer' })).outcome).toBe('allow');
  });

  it('limits call extensions', () => {
    const d = decideOn(started(), proposal('extend_call', { seconds: 1200 }));
    expect(messages(d)).toEqual(['Extending by 1200 s is more than the 600 s one extension may add.']);
  });
});

describe('daily budgets across sessions (policy: on_exceed needs_approval)', () => {
  const withBudget = (remaining: {
    concession_percent_points: number | null;
    concession_usd: number | null;
    approvals: number | null;
  }) => {
    const session = started();
    session.apply({ type: 'budget', at: T0 + 2000, remaining });
    return session;
  };

  it('a concession beyond what is left today needs approval, with the budget in the rationale', () => {
    const d = decideOn(
      withBudget({ concession_percent_points: 4, concession_usd: null, approvals: 10 }),
      proposal('concession', { type: 'percent_off', value: 5 }),
    );
    expect(d.outcome).toBe('needs_approval');
    expect(d.rationale[0]).toMatchObject({
      rule: 'budget.daily_cap',
      message:
        "Today's concession budget has 4 percent points left across this agent's and tenant's calls; this would grant 5.",
    });
  });

  it('within what is left, nothing changes; with no approvals left, the request is denied', () => {
    expect(
      decideOn(
        withBudget({ concession_percent_points: 40, concession_usd: 100, approvals: 10 }),
        proposal('concession', { type: 'percent_off', value: 5 }),
      ).outcome,
    ).toBe('allow');
    const d = decideOn(
      withBudget({ concession_percent_points: null, concession_usd: null, approvals: 0 }),
      proposal('concession', { type: 'percent_off', value: 15 }),
    );
    expect(d.outcome).toBe('deny');
    expect(rules(d)).toEqual(['budget.approvals']);
  });

  it('policy may deny outright', () => {
    const session = started({
      policy: policyWith((p) => {
        p.budgets.on_exceed = 'deny';
      }),
    });
    session.apply({
      type: 'budget',
      at: T0 + 2000,
      remaining: { concession_percent_points: null, concession_usd: 50, approvals: 10 },
    });
    const d = decideOn(session, proposal('concession', { type: 'amount_off', value: 100 }));
    expect([d.outcome, rules(d)]).toEqual(['deny', ['budget.daily_cap']]);
  });
});
