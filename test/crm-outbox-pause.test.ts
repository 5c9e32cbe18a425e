import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, harness, sessionMeta, write } from './crm-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('CRM outbox worker while the portal is paused by a 429', () => {
  it('claims nothing while a DAILY 429 pauses the portal, instead of holding a write past its lease for the hour', async () => {
    h = await harness({ worker: { concurrency: 1, leaseMs: 60_000 } });
    const contact = h.fake.state.seed('contacts', { phone: '555-0100', firstname: 'Pat' });
    await h.store.sessions.create(sessionMeta({ contactId: contact.id }), 'p-test', 1_000);
    h.fake.faults.add({ kind: 'rate_limit', policy: 'DAILY' }, { method: 'PATCH' });
    await h.store.outbox.enqueue(
      write({ id: 'w-a', object: 'contact', objectId: contact.id, properties: { phone: '1' }, createdAt: 1_000 }),
    );
    await h.store.outbox.enqueue(
      write({ id: 'w-b', object: 'contact', objectId: contact.id, properties: { firstname: 'Sam' }, createdAt: 2_000 }),
    );
    const start = h.clock.now();
    expect(await h.worker.runOnce()).toBe(1); // w-a: 429 DAILY, the portal pauses for an hour
    expect(await h.store.outbox.get('w-a')).toMatchObject({ status: 'pending', nextAttemptAt: start + 3_600_000 });
    const sent = h.fake.requests.length;
    await h.worker.runOnce(); // w-b is due now, but the portal is paused
    expect(h.clock.now() - start).toBeLessThan(60_000);
    expect(h.fake.requests.length).toBe(sent);
    expect((await h.store.outbox.get('w-b'))?.status).toBe('pending');
    // Once the pause is over both are delivered, once each.
    await h.drain();
    expect((await h.store.outbox.get('w-a'))?.status).toBe('delivered');
    expect((await h.store.outbox.get('w-b'))?.status).toBe('delivered');
    expect(h.fake.state.get('contacts', contact.id)?.properties).toMatchObject({ phone: '1', firstname: 'Sam' });
  });
});

describe('CRM outbox worker: a 429 in the same round', () => {
  it('reschedules a write whose turn comes after another write paused the portal, sending nothing', async () => {
    h = await harness({ worker: { concurrency: 2 } });
    const contact = h.fake.state.seed('contacts', { phone: '555-0100' });
    await h.store.sessions.create(sessionMeta({ contactId: contact.id }), 'p-test', 1_000);
    // w-note's create is answered 429 DAILY while w-phone still waits for its read of the previous value.
    h.fake.faults.add({ kind: 'rate_limit', policy: 'DAILY' }, { method: 'POST', path: /^\/crm\/v3\/objects\/notes$/ });
    h.fake.faults.add({ kind: 'slow', ms: 150, apply: true }, { method: 'GET' });
    await h.store.outbox.enqueue(
      write({ id: 'w-note', object: 'note', properties: { hs_note_body: 'x' }, createdAt: 1_000 }),
    );
    await h.store.outbox.enqueue(
      write({ id: 'w-phone', object: 'contact', objectId: contact.id, properties: { phone: '1' }, createdAt: 2_000 }),
    );
    const start = h.clock.now();
    expect(await h.worker.runOnce()).toBe(2);
    expect(h.clock.now() - start).toBeLessThan(60_000);
    expect(h.fake.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    const phone = await h.store.outbox.get('w-phone');
    expect(phone).toMatchObject({
      status: 'pending',
      nextAttemptAt: start + 3_600_000,
      previous: { phone: '555-0100' },
    });
    await h.drain();
    expect(await h.store.outbox.get('w-phone')).toMatchObject({ status: 'delivered' });
    expect(h.fake.state.get('contacts', contact.id)?.properties.phone).toBe('1');
  });
});
