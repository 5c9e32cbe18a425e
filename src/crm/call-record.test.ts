import { describe, expect, it } from 'vitest';
import type { Decision, Directive, SessionMeta } from '../model/index.ts';
import { type ApprovalSummary, buildCallRecord } from './call-record.ts';

const meta: SessionMeta = {
  sessionId: 's-42',
  callId: 'c-42',
  channel: 'voice',
  direction: 'outbound',
  role: 'closing',
  jurisdiction: 'CA',
  timezone: 'America/Los_Angeles',
  agentId: 'agent-7',
  tenantId: 'acme',
  contactId: '101',
  dealId: '202',
};
const T0 = Date.parse('2026-03-02T17:00:00Z');

function decision(over: Partial<Decision> & Pick<Decision, 'id' | 'kind' | 'outcome'>): Decision {
  return {
    proposalId: `${over.id}.p`,
    sessionId: 's-42',
    rationale: [{ rule: 'default', facts: {}, message: 'ok' }],
    policyVersion: 'p-1',
    stateRef: { seq: 1, state: 'live' },
    at: T0,
    ...over,
  };
}

const decisions: Decision[] = [
  ...Array.from({ length: 30 }, (_, i) => decision({ id: `say-${i}`, kind: 'say', outcome: 'allow', at: T0 + i })),
  decision({
    id: 'd-conc',
    kind: 'concession',
    outcome: 'sanitize',
    at: T0 + 60_000,
    sanitized: { percent: 15 },
    rationale: [
      {
        rule: 'concession.max_percent',
        facts: { asked: 25, max: 15 },
        message: 'Asked 25% off; the closing bound is 15%.',
      },
    ],
  }),
  decision({
    id: 'd-ext',
    kind: 'extend_call',
    outcome: 'needs_approval',
    at: T0 + 120_000,
    fallback: 'Let me check with my manager.',
    rationale: [{ rule: 'timeouts.max_call', facts: {}, message: 'Extending past 20 minutes needs a manager.' }],
  }),
  decision({
    id: 'd-crm',
    kind: 'crm_write',
    outcome: 'deny',
    at: T0 + 130_000,
    rationale: [
      {
        rule: 'crm.property_not_listed',
        facts: { property: 'amount' },
        message: 'The closing role may not write deal amount <b>.',
      },
    ],
  }),
];
const approvals: ApprovalSummary[] = [
  {
    id: 'd-ext.approval',
    decisionId: 'd-ext',
    kind: 'extend_call',
    bound: { seconds: 300 },
    reason: 'customer mid-signature',
    status: 'approved',
    votes: [{ approverId: 'maria.lopez', verdict: 'approve', reason: 'close it', at: T0 + 125_000 }],
  },
];
const directives: Directive[] = [
  {
    id: 'dir-1',
    sessionId: 's-42',
    kind: 'end_call',
    rule: 'consent.opt_out',
    message: 'Customer asked not to be called again.',
    policyVersion: 'p-1',
    at: T0 + 300_000,
  },
];

describe('buildCallRecord', () => {
  const record = buildCallRecord({
    meta,
    startedAt: T0,
    endedAt: T0 + 305_000,
    endReason: 'customer opted out',
    decisions,
    approvals,
    directives,
    optedOut: true,
    publicUrl: 'https://guardline.example.com/',
  });
  const body = record.properties.hs_call_body as string;

  it('is a completed call engagement with the properties HubSpot requires', () => {
    expect(record.object).toBe('call');
    expect(record.properties).toMatchObject({
      hs_timestamp: '2026-03-02T17:00:00.000Z',
      hs_call_status: 'COMPLETED',
      hs_call_direction: 'OUTBOUND',
      hs_call_duration: '305000',
    });
    expect(record.properties.hs_call_title).toContain('OPTED OUT');
  });

  it('leads with the opt-out and carries each consequential decision with outcome and rationale', () => {
    expect(body.indexOf('opted out')).toBeLessThan(body.indexOf('Decisions'));
    expect(body).toContain(
      '<strong>CHANGED</strong> concession — Asked 25% off; the closing bound is 15%. <em>[concession.max_percent]</em>',
    );
    expect(body).toContain('used instead: percent 15');
    expect(body).toContain('<strong>NEEDS APPROVAL</strong> extend_call');
    expect(body).toContain('agent said meanwhile: “Let me check with my manager.”');
    expect(body).toContain('<strong>DENIED</strong> crm_write');
    expect(body).toContain('30 routine lines of speech allowed, not listed');
    expect(body).not.toContain('say-3');
  });

  it('names who approved, the directives, and links to the session; text is HTML-escaped', () => {
    expect(body).toContain('<strong>approved</strong> by maria.lopez at 17:02:05 UTC (“close it”)');
    expect(body).toContain(
      '<strong>end_call</strong> — Customer asked not to be called again. <em>[consent.opt_out]</em>',
    );
    expect(body).toContain('<a href="https://guardline.example.com/sessions/s-42">');
    expect(body).toContain('deal amount &lt;b&gt;.');
  });

  it('writes a note for message threads and stays within HubSpot body limits', () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      decision({
        id: `x-${i}`,
        kind: 'send_message',
        outcome: 'deny',
        rationale: [{ rule: 'r', facts: {}, message: 'x'.repeat(100) }],
      }),
    );
    const note = buildCallRecord({
      meta: { ...meta, channel: 'message' },
      startedAt: T0,
      endedAt: T0 + 1,
      decisions: many,
      approvals: [],
      directives: [],
      publicUrl: 'https://g',
    });
    expect(note.object).toBe('note');
    expect(Object.keys(note.properties).sort()).toEqual(['hs_note_body', 'hs_timestamp']);
    expect((note.properties.hs_note_body as string).length).toBeLessThanOrEqual(65_536);
    expect(note.properties.hs_note_body).toMatch(/\d+ more decisions are on the Guardline session page/);
  });
});
