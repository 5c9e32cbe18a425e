import { afterEach, describe, expect, it } from 'vitest';
import { createsOf, type Harness, harness, sessionMeta, write } from './crm-harness.ts';
import type { Fault } from './fakes/hubspot/index.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function withSession(options: Parameters<typeof harness>[0] = {}) {
  h = await harness(options);
  const contact = h.fake.state.seed('contacts', { email: 'pat@example.com', phone: '555-0100' });
  const deal = h.fake.state.seed('deals', { dealname: 'Acme renewal', amount: '1000' });
  await h.store.sessions.create(sessionMeta({ contactId: contact.id, dealId: deal.id }), 'p-test', 1_000);
  return { contact, deal };
}

const FAULTS: [string, Fault][] = [
  ['429 DAILY', { kind: 'rate_limit', policy: 'DAILY' }],
  ['429 TEN_SECONDLY_ROLLING', { kind: 'rate_limit', policy: 'TEN_SECONDLY_ROLLING' }],
  ['429 SECONDLY', { kind: 'rate_limit', policy: 'SECONDLY' }],
  ['500', { kind: 'status', status: 500 }],
  ['502 (HTML body)', { kind: 'status', status: 502 }],
  ['503', { kind: 'status', status: 503 }],
  ['slow answer past the timeout, write applied', { kind: 'slow', ms: 1_200, apply: true }],
  ['slow answer past the timeout, nothing applied', { kind: 'slow', ms: 1_200, apply: false }],
  ['connection reset after the write was applied', { kind: 'reset', apply: true }],
  ['connection reset before anything was applied', { kind: 'reset', apply: false }],
];

describe('CRM outbox worker (real SQLite store, fake HubSpot, real @hubspot/api-client)', () => {
  it.each(FAULTS)('delivers a create exactly once under %s (twice in a row)', async (_name, fault) => {
    await withSession();
    h.fake.faults.add(fault, { method: 'POST', path: /^\/crm\/v3\/objects\/calls$/ }, 2);
    await h.store.outbox.enqueue(
      write({ id: 'w-call', object: 'call', properties: { hs_timestamp: '2026-01-01T00:00:00Z', hs_call_title: 'x' } }),
    );
    await h.drain();
    const row = await h.store.outbox.get('w-call');
    expect(row?.status).toBe('delivered');
    expect(createsOf(h.fake, 'w-call')).toBe(1);
    expect(h.fake.state.get('calls', row?.hubspotId as string)?.properties.guardline_write_id).toBe('w-call');
  });

  it.each(FAULTS)('delivers an update exactly once under %s and keeps the true previous value', async (_n, fault) => {
    const { contact } = await withSession();
    h.fake.faults.add(fault, { method: 'PATCH' }, 2);
    await h.store.outbox.enqueue(
      write({ id: 'w-phone', object: 'contact', objectId: contact.id, properties: { phone: '555-0199' } }),
    );
    await h.drain();
    const row = await h.store.outbox.get('w-phone');
    expect(row).toMatchObject({ status: 'delivered', previous: { phone: '555-0100' } });
    expect(h.fake.state.get('contacts', contact.id)?.properties.phone).toBe('555-0199');
    // PATCHes of fixed values: however often applied, the record ends with the one value.
    expect(new Set(h.fake.state.writesTo('contacts', contact.id).map((w) => w.properties.phone))).toEqual(
      new Set(['555-0199']),
    );
  });

  it('associates a call record with the session contact and deal', async () => {
    const { contact, deal } = await withSession();
    await h.store.outbox.enqueue(
      write({ id: 'w-rec', object: 'call', properties: { hs_timestamp: '2026-01-01T00:00:00Z' } }),
    );
    await h.drain();
    const row = await h.store.outbox.get('w-rec');
    const call = h.fake.state.get('calls', row?.hubspotId as string);
    expect(call?.associations.map((a) => [a.toType, a.toId])).toEqual([
      ['contacts', contact.id],
      ['deals', deal.id],
    ]);
  });

  it('parks a write HubSpot rejects (4xx) with its message, without retrying', async () => {
    const { contact } = await withSession();
    await h.store.outbox.enqueue(
      write({ id: 'w-bad', object: 'contact', objectId: contact.id, properties: { favourite_colour: 'red' } }),
    );
    await h.store.outbox.enqueue(
      write({ id: 'w-gone', object: 'deal', objectId: '424242', properties: { amount: 5 } }),
    );
    await h.drain();
    const bad = await h.store.outbox.get('w-bad');
    expect(bad?.status).toBe('parked');
    expect(bad?.attempts).toBe(1);
    expect(bad?.lastError).toMatch(/HubSpot 400 VALIDATION_ERROR: .*favourite_colour.*correlationId/);
    expect((await h.store.outbox.get('w-gone'))?.lastError).toMatch(/HubSpot 404 OBJECT_NOT_FOUND/);
    expect(h.fake.state.writesTo('contacts', contact.id)).toEqual([]);
  });

  it('parks a write after maxAttempts of 5xx, with the last error', async () => {
    const { contact } = await withSession({ worker: { maxAttempts: 3 } });
    h.fake.faults.add({ kind: 'status', status: 503 }, { method: 'PATCH' }, 10);
    await h.store.outbox.enqueue(
      write({ id: 'w-503', object: 'contact', objectId: contact.id, properties: { phone: '1' } }),
    );
    await h.drain();
    const row = await h.store.outbox.get('w-503');
    expect(row).toMatchObject({ status: 'parked', attempts: 3 });
    expect(row?.lastError).toMatch(/gave up after 3 attempts; last: HubSpot 503/);
  });

  it('does not count 429s toward parking: a rate-limited write still gets every 5xx retry', async () => {
    const { contact } = await withSession({ worker: { maxAttempts: 3 } });
    h.fake.faults.add({ kind: 'rate_limit', policy: 'TEN_SECONDLY_ROLLING' }, { method: 'PATCH' }, 1);
    h.fake.faults.add({ kind: 'status', status: 503 }, { method: 'PATCH' }, 2);
    await h.store.outbox.enqueue(
      write({ id: 'w-429-503', object: 'contact', objectId: contact.id, properties: { phone: '4' } }),
    );
    await h.drain();
    const row = await h.store.outbox.get('w-429-503');
    expect(row).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(h.fake.state.writesTo('contacts', contact.id)).toHaveLength(1);
  });

  it('waits out a 429 for the window its policyName implies before trying again', async () => {
    const { contact } = await withSession();
    h.fake.faults.add({ kind: 'rate_limit', policy: 'TEN_SECONDLY_ROLLING' }, { method: 'PATCH' });
    await h.store.outbox.enqueue(
      write({ id: 'w-429', object: 'contact', objectId: contact.id, properties: { phone: '2' } }),
    );
    const start = h.clock.now();
    await h.worker.runOnce();
    const row = await h.store.outbox.get('w-429');
    // HubSpot did nothing with it: the attempt does not count toward parking the write.
    expect(row).toMatchObject({ status: 'pending', nextAttemptAt: start + 10_000, attempts: 0 });
    expect(row?.lastError).toMatch(/429 TEN_SECONDLY_ROLLING/);
  });

  it('without a token keeps writes as not_configured and sends nothing', async () => {
    const { contact } = await withSession({ configured: false });
    await h.store.outbox.enqueue(
      write({ id: 'w-nc', object: 'contact', objectId: contact.id, properties: { phone: '3' } }),
    );
    await h.drain();
    expect((await h.store.outbox.get('w-nc'))?.status).toBe('not_configured');
    expect(h.fake.requests).toEqual([]);
  });
});
