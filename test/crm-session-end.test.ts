import { afterEach, describe, expect, it } from 'vitest';
import { buildCallRecord } from '../src/crm/call-record.ts';
import { callRecordWrite, doNotCallWrite } from '../src/crm/session-end-writes.ts';
import { type Harness, harness, sessionMeta } from './crm-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('session end: the call record and the do-not-call marker reach HubSpot', () => {
  it('creates the call on the contact and deal and marks the contact do-not-call', async () => {
    h = await harness();
    const contact = h.fake.state.seed('contacts', { email: 'pat@example.com' });
    const deal = h.fake.state.seed('deals', { dealname: 'Acme' });
    const meta = sessionMeta({ contactId: contact.id, dealId: deal.id });
    await h.store.sessions.create(meta, 'p-test', 1_000);
    const record = buildCallRecord({
      meta,
      startedAt: 1_000,
      endedAt: 61_000,
      decisions: [
        {
          id: 'd1',
          proposalId: 'p1',
          sessionId: meta.sessionId,
          kind: 'transfer',
          outcome: 'deny',
          rationale: [
            { rule: 'role.transfer_targets', facts: {}, message: 'Billing is not a transfer target for booking.' },
          ],
          policyVersion: 'p-1',
          stateRef: { seq: 3, state: 'live' },
          at: 30_000,
        },
      ],
      approvals: [],
      directives: [],
      optedOut: true,
      publicUrl: 'https://guardline.example.com',
    });
    await h.store.outbox.enqueue(callRecordWrite(record, meta, 'dir-end', 61_000));
    const dnc = doNotCallWrite(
      { object: 'contact', property: 'guardline_do_not_call', value: 'true' },
      meta,
      'dir-opt',
      61_000,
    );
    if (!dnc) throw new Error('expected a do-not-call write');
    await h.store.outbox.enqueue(dnc);
    await h.drain();
    const [call] = h.fake.state.list('calls');
    expect(call?.properties.hs_call_body).toContain('Billing is not a transfer target for booking.');
    expect(call?.associations.map((a) => a.toId)).toEqual([contact.id, deal.id]);
    expect(h.fake.state.get('contacts', contact.id)?.properties.guardline_do_not_call).toBe('true');
    expect(doNotCallWrite({ object: 'contact', property: 'x', value: 'y' }, sessionMeta(), 'd', 1)).toBeNull();
  });
});
