import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/verify.ts';
import type { Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';
import { heldDecision } from './store-fixtures.ts';

for (const backend of BACKENDS) {
  describe(`approval listeners (${backend.name})`, () => {
    let place: Place;
    let store: Store;
    beforeEach(async () => {
      place = await backend.place();
      store = await place.open();
    });
    afterEach(async () => {
      await place.cleanup();
    });

    it('a listener that throws neither fails the committed write nor keeps the event from other listeners', async () => {
      const events: string[] = [];
      await store.onApproval(() => {
        throw new Error('a faulty listener');
      });
      await store.onApproval((e) => events.push(`${e.approvalId}:${e.status}`));
      await expect(store.record({ actor: 'agent:a', decision: heldDecision('h1', 's1') })).resolves.toBeDefined();
      await expect.poll(() => events).toEqual(['h1.approval:pending']);
      expect((await store.decisions.listBySession('s1')).map((d) => d.id)).toEqual(['h1']);
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 2 });
    });
  });
}
