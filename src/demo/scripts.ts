import type { SessionMeta } from '../model/index.ts';

/** One thing that happens in a sample call, `at` ms after it starts. */
export type ScriptStep =
  | { at: number; do: 'customer'; text: string; confidence?: number }
  | { at: number; do: 'agent'; text: string }
  | { at: number; do: 'propose'; id: string; kind: string; params: unknown }
  | { at: number; do: 'event'; event: 'voicemail' | 'call_ended' }
  /** A manager approves the approval the proposal `proposalId` is waiting on. */
  | { at: number; do: 'approve'; proposalId: string; approver: string };

export interface SampleScript {
  /** File name (without .jsonl) and what the call shows. */
  name: string;
  title: string;
  meta: SessionMeta;
  steps: ScriptStep[];
}

const DISCLOSE = "Hi, I'm an AI assistant from Acme, and this call is recorded for quality. Is that okay?";

const base = (id: string, overrides: Partial<SessionMeta>): SessionMeta => ({
  sessionId: id,
  callId: id,
  channel: 'voice',
  direction: 'inbound',
  role: 'booking',
  jurisdiction: 'NY',
  timezone: 'America/New_York',
  agentId: 'demo-agent',
  tenantId: 'acme',
  contactId: '101',
  ...overrides,
});

/** The bundled sample sessions (test/fixtures/recordings/ holds their recordings). */
export const SAMPLE_SCRIPTS: readonly SampleScript[] = [
  {
    name: 'booking-call',
    title: 'A booking call that books a meeting',
    meta: base('demo-booking', { role: 'booking' }),
    steps: [
      { at: 1000, do: 'propose', id: 'disclose', kind: 'say', params: { text: DISCLOSE } },
      { at: 4000, do: 'customer', text: 'Yes, that is fine.' },
      { at: 9000, do: 'customer', text: 'We are looking at a tool for our sales team of about forty people.' },
      {
        at: 12_000,
        do: 'propose',
        id: 'offer-slot',
        kind: 'say',
        params: { text: 'Could we book a demo with one of our reps on Thursday at 2 pm?' },
      },
      { at: 16_000, do: 'customer', text: 'Thursday at two works for me.' },
      {
        at: 18_000,
        do: 'propose',
        id: 'book',
        kind: 'book_meeting',
        params: { start: '2026-11-19T19:00:00Z', durationMinutes: 30, title: 'Acme demo' },
      },
      {
        at: 19_000,
        do: 'propose',
        id: 'note',
        kind: 'crm_write',
        params: { object: 'note', properties: { hs_note_body: 'Demo booked for Thursday 2 pm; team of about 40.' } },
      },
      { at: 22_000, do: 'event', event: 'call_ended' },
    ],
  },
  {
    name: 'closing-approval',
    title: 'A closing call: a 20% discount waits for a manager, who approves it',
    meta: base('demo-closing', { role: 'closing', dealId: '501' }),
    steps: [
      { at: 1000, do: 'propose', id: 'disclose', kind: 'say', params: { text: DISCLOSE } },
      { at: 4000, do: 'customer', text: 'Sure, go ahead.' },
      { at: 8000, do: 'customer', text: 'The price is a bit high for us. Can you do better?' },
      {
        at: 10_000,
        do: 'propose',
        id: 'small-discount',
        kind: 'concession',
        params: { type: 'percent_off', value: 5 },
      },
      { at: 14_000, do: 'customer', text: 'We would need at least twenty percent off to sign this quarter.' },
      { at: 16_000, do: 'propose', id: 'big-discount', kind: 'concession', params: { type: 'percent_off', value: 20 } },
      { at: 26_000, do: 'approve', proposalId: 'big-discount', approver: 'manager-1' },
      { at: 30_000, do: 'customer', text: 'Great, then we have a deal.' },
      {
        at: 32_000,
        do: 'propose',
        id: 'close-date',
        kind: 'crm_write',
        params: { object: 'deal', id: '501', properties: { closedate: '2026-11-30' } },
      },
      { at: 35_000, do: 'event', event: 'call_ended' },
    ],
  },
  {
    name: 'opt-out',
    title: 'The customer opts out: end_call and a do-not-call mark',
    meta: base('demo-optout', { role: 'booking', contactId: '102' }),
    steps: [
      { at: 1000, do: 'propose', id: 'disclose', kind: 'say', params: { text: DISCLOSE } },
      { at: 5000, do: 'customer', text: 'Please stop calling me and take me off your list.' },
      {
        at: 7000,
        do: 'propose',
        id: 'pitch',
        kind: 'say',
        params: { text: 'Before you go, we have a great offer this month.' },
      },
      { at: 9000, do: 'event', event: 'call_ended' },
    ],
  },
  {
    name: 'voicemail',
    title: 'An outbound call that reaches voicemail: leave the approved message and hang up',
    meta: base('demo-voicemail', { role: 'booking', direction: 'outbound', contactId: '103' }),
    steps: [
      { at: 3000, do: 'event', event: 'voicemail' },
      { at: 5000, do: 'propose', id: 'hang-up', kind: 'end_call', params: { reason: 'voicemail message left' } },
      { at: 9000, do: 'event', event: 'call_ended' },
    ],
  },
  {
    name: 'message-thread',
    title: 'A message thread: personal data is redacted before the message goes out',
    meta: base('demo-thread', { role: 'booking', channel: 'message', contactId: '104' }),
    steps: [
      { at: 1000, do: 'customer', text: 'Hi, can someone send me the pricing sheet?' },
      {
        at: 60_000,
        do: 'propose',
        id: 'reply',
        kind: 'send_message',
        params: {
          text: 'Hi! I am an AI assistant from Acme. Our rep Dana will send it; you can also reach her at dana.rivera@example.com or +1 415 555 0134.',
        },
      },
      { at: 120_000, do: 'customer', text: 'Thanks, that works.' },
      { at: 180_000, do: 'event', event: 'call_ended' },
    ],
  },
];
