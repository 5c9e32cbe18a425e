import { afterEach, describe, expect, it } from 'vitest';
import { requestRollback } from '../src/crm/rollback.ts';
import { type Harness, harness, sessionMeta, write } from './crm-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function deliveredUpdate() {
  h = await harness();
  const contact = h.fake.state.seed('contacts', { email: 'pat@example.com', phone: '555-0100' });
  await h.store.sessions.create(sessionMeta({ contactId: contact.id }), 'p-test', 1_000);
  // lifecyclestage was empty before: rollback must clear it again.
  await h.store.outbox.enqueue(
    write({
      id: 'w-1',
      object: 'contact',
      objectId: contact.id,
      properties: { phone: '555-0199', lifecyclestage: 'lead' },
    }),
  );
  await h.drain();
  return contact;
}

describe('guardline crm rollback', () => {
  it('restores the exact previous values through a gated, audited write, then marks the original rolled back', async () => {
    const contact = await deliveredUpdate();
    const result = await requestRollback(h.store, {
      writeId: 'w-1',
      actor: 'human:maria',
      reason: 'wrong number',
      now: h.clock.now(),
    });
    expect(result.decision.outcome).toBe('allow');
    expect(result.rollbackWrite).toMatchObject({
      status: 'pending',
      properties: { phone: '555-0100', lifecyclestage: null },
    });
    const audited = await h.store.audit.listBySession('s-1');
    expect(
      audited.some((e) => e.kind === 'decision' && JSON.stringify(e.payload).includes('crm.rollback.manager_only')),
    ).toBe(true);
    await h.drain();
    const props = h.fake.state.get('contacts', contact.id)?.properties;
    expect(props?.phone).toBe('555-0100');
    expect(props?.lifecyclestage).toBeNull();
    expect((await h.store.outbox.get('w-1'))?.status).toBe('rolled_back');
    await expect(
      requestRollback(h.store, { writeId: 'w-1', actor: 'human:maria', reason: 'again', now: h.clock.now() }),
    ).rejects.toMatchObject({
      code: 'GL_CRM_ROLLBACK_REFUSED',
    });
  });

  it('denies a rollback asked by an agent: recorded, nothing queued, HubSpot untouched', async () => {
    await deliveredUpdate();
    const before = h.fake.requests.length;
    const result = await requestRollback(h.store, {
      writeId: 'w-1',
      actor: 'agent:agent-7',
      reason: 'oops',
      now: h.clock.now(),
    });
    expect(result).toMatchObject({ decision: { outcome: 'deny' }, rollbackWrite: null });
    await h.drain();
    expect(h.fake.requests.length).toBe(before);
    expect((await h.store.outbox.get('w-1'))?.status).toBe('delivered');
  });

  it('parks the rollback instead of overwriting a value someone changed in HubSpot since', async () => {
    const contact = await deliveredUpdate();
    h.fake.state.update(h.fake.state.get('contacts', contact.id) as never, { phone: '555-0777' });
    await requestRollback(h.store, { writeId: 'w-1', actor: 'human:maria', reason: 'undo', now: h.clock.now() });
    await h.drain();
    const rollback = await h.store.outbox.get('w-1.rollback');
    expect(rollback?.status).toBe('parked');
    expect(rollback?.lastError).toMatch(/changed in HubSpot since Guardline wrote it: phone/);
    expect(h.fake.state.get('contacts', contact.id)?.properties.phone).toBe('555-0777');
    expect((await h.store.outbox.get('w-1'))?.status).toBe('delivered');
  });

  it('sends a parked rollback again when it is asked for again, and it goes through', async () => {
    const contact = await deliveredUpdate();
    // HubSpot fails the rollback's update until the worker gives up (5 attempts in this harness).
    h.fake.faults.add({ kind: 'status', status: 503 }, { method: 'PATCH' }, 5);
    await requestRollback(h.store, { writeId: 'w-1', actor: 'human:maria', reason: 'undo', now: h.clock.now() });
    await h.drain();
    expect(await h.store.outbox.get('w-1.rollback')).toMatchObject({ status: 'parked', attempts: 5 });

    const again = await requestRollback(h.store, {
      writeId: 'w-1',
      actor: 'human:maria',
      reason: 'HubSpot is back',
      now: h.clock.now(),
    });
    expect(again.decision.outcome).toBe('allow');
    expect(again.rollbackWrite).toMatchObject({ status: 'pending', attempts: 0, decisionId: again.decision.id });
    await h.drain();
    expect((await h.store.outbox.get('w-1.rollback'))?.status).toBe('delivered');
    expect(h.fake.state.get('contacts', contact.id)?.properties.phone).toBe('555-0100');
    expect((await h.store.outbox.get('w-1'))?.status).toBe('rolled_back');
  });

  it('refuses unknown writes and writes that changed nothing', async () => {
    h = await harness();
    await h.store.sessions.create(sessionMeta(), 'p-test', 1_000);
    await expect(
      requestRollback(h.store, { writeId: 'nope', actor: 'human:m', reason: '', now: 1 }),
    ).rejects.toMatchObject({
      code: 'GL_CRM_WRITE_NOT_FOUND',
    });
    await h.store.outbox.enqueue(write({ id: 'w-p', object: 'contact', objectId: '1', properties: { phone: '1' } }));
    await expect(
      requestRollback(h.store, { writeId: 'w-p', actor: 'human:m', reason: '', now: 1 }),
    ).rejects.toMatchObject({
      code: 'GL_CRM_ROLLBACK_REFUSED',
    });
  });
});
