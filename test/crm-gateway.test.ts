import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HubspotCallError } from '../src/crm/hubspot-failure.ts';
import { HubspotGateway } from '../src/crm/hubspot-gateway.ts';
import { type FakeHubspot, startFakeHubspot } from './fakes/hubspot/index.ts';

let fake: FakeHubspot;
let gateway: HubspotGateway;

beforeEach(async () => {
  fake = await startFakeHubspot({
    extraProperties: { calls: ['guardline_write_id'], contacts: ['guardline_do_not_call'] },
  });
  gateway = new HubspotGateway({ accessToken: fake.token, baseUrl: fake.url, timeoutMs: 300 });
});
afterEach(async () => {
  await fake.close();
});

async function failureOf(p: Promise<unknown>): Promise<HubspotCallError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(HubspotCallError);
  return e as HubspotCallError;
}

describe('HubspotGateway against the fake HubSpot (real @hubspot/api-client)', () => {
  it('reads, patches and reports the rate-limit headers', async () => {
    const contact = fake.state.seed('contacts', { email: 'a@example.com', phone: '555-0100' });
    const read = await gateway.read('contact', contact.id, ['phone', 'lifecyclestage']);
    expect(read.value.properties.phone).toBe('555-0100');
    expect(read.value.properties.lifecyclestage).toBeNull();
    expect(read.rateLimit).toMatchObject({ max: 100, intervalMs: 10_000, remaining: 99 });
    const updated = await gateway.update('contact', contact.id, { phone: '555-0199', lifecyclestage: null });
    expect(updated.value.properties.phone).toBe('555-0199');
    expect(fake.state.get('contacts', contact.id)?.properties.phone).toBe('555-0199');
  });

  it('creates an engagement associated to a contact and a deal in one request (201), and finds it again', async () => {
    const contact = fake.state.seed('contacts', { email: 'b@example.com' });
    const deal = fake.state.seed('deals', { dealname: 'Acme' });
    const created = await gateway.create(
      'call',
      { hs_timestamp: '2026-01-01T00:00:00.000Z', hs_call_title: 'Guardline', guardline_write_id: 'w-1' },
      [
        { object: 'contact', id: contact.id },
        { object: 'deal', id: deal.id },
      ],
    );
    const record = fake.state.get('calls', created.value.id);
    expect(record?.associations.map((a) => [a.toType, a.typeId])).toEqual([
      ['contacts', 194],
      ['deals', 206],
    ]);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', status: 201 });
    const found = await gateway.findBy('call', 'guardline_write_id', 'w-1');
    expect(found.value.map((o) => o.id)).toEqual([created.value.id]);
    expect((await gateway.findBy('call', 'guardline_write_id', 'w-2')).value).toEqual([]);
  });

  it('surfaces 429 with its policyName and headers', async () => {
    const c = fake.state.seed('contacts', {});
    for (const policy of ['DAILY', 'TEN_SECONDLY_ROLLING', 'SECONDLY'] as const) {
      fake.faults.add({ kind: 'rate_limit', policy });
      const e = await failureOf(gateway.update('contact', c.id, { phone: '1' }));
      expect(e.failure).toMatchObject({ kind: 'rate_limited', policy });
      expect(e.rateLimit?.max).toBe(100);
    }
    expect(fake.state.writesTo('contacts', c.id)).toEqual([]);
  });

  it('classifies 5xx (JSON and HTML bodies) as transient', async () => {
    const c = fake.state.seed('contacts', {});
    for (const status of [500, 502, 503] as const) {
      fake.faults.add({ kind: 'status', status });
      expect((await failureOf(gateway.update('contact', c.id, { phone: '1' }))).failure).toMatchObject({
        kind: 'transient',
        status,
      });
    }
  });

  it('times out a slow answer and reports a reset, both as unknown outcomes', async () => {
    const c = fake.state.seed('contacts', {});
    fake.faults.add({ kind: 'slow', ms: 1_500, apply: true });
    const slow = await failureOf(gateway.update('contact', c.id, { phone: '2' }));
    expect(slow.failure).toMatchObject({ kind: 'unknown_outcome', reason: 'timeout' });
    fake.faults.add({ kind: 'reset', apply: true });
    const reset = await failureOf(gateway.update('contact', c.id, { phone: '3' }));
    expect(reset.failure).toMatchObject({ kind: 'unknown_outcome', reason: 'connection' });
    expect(fake.state.writesTo('contacts', c.id)).toHaveLength(2);
  });

  it('classifies validation, not-found and auth errors as permanent with HubSpot message', async () => {
    const c = fake.state.seed('contacts', {});
    const invalid = await failureOf(gateway.update('contact', c.id, { no_such_property: 'x' }));
    expect(invalid.failure).toMatchObject({ kind: 'permanent', status: 400, category: 'VALIDATION_ERROR' });
    expect(invalid.failure.message).toContain('no_such_property');
    const missing = await failureOf(gateway.read('deal', '999', []));
    expect(missing.failure).toMatchObject({ kind: 'permanent', status: 404, category: 'OBJECT_NOT_FOUND' });
    const stranger = new HubspotGateway({ accessToken: 'wrong-token', baseUrl: fake.url, timeoutMs: 500 });
    expect((await failureOf(stranger.read('contact', c.id, []))).failure).toMatchObject({
      kind: 'permanent',
      status: 401,
    });
  });

  it('treats a refused connection as transient (never sent)', async () => {
    const url = fake.url;
    await fake.close();
    const g = new HubspotGateway({ accessToken: 'x', baseUrl: url, timeoutMs: 500 });
    expect((await failureOf(g.read('contact', '1', []))).failure).toMatchObject({ kind: 'transient', status: 0 });
    fake = await startFakeHubspot();
  });
});
