import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../src/model/index.ts';
import type { Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';

const T = 1_800_000_000_000;

for (const backend of BACKENDS) {
  describe(`policy-ops store on ${backend.name}`, () => {
    let place: Place;
    let store: Store;
    afterEach(async () => {
      await store?.close();
      await place?.cleanup();
    });
    const open = async () => {
      place = await backend.place();
      store = await place.open();
      return store;
    };

    it('suspensions: set, list active, lift once, both audited', async () => {
      const s = await open();
      const row = {
        id: 'susp-1',
        scope: 'agent' as const,
        target: 'a1',
        action: 'hold' as const,
        tenantId: 'acme',
        reason: 'r',
        createdBy: 'human:m',
        createdAt: T,
        liftedBy: null,
        liftedAt: null,
        liftReason: null,
      };
      await s.suspensions.create(row);
      expect(await s.suspensions.listActive()).toEqual([row]);
      const lifted = await s.suspensions.lift('susp-1', { actor: 'human:m2', reason: 'ok', at: T + 1 });
      expect(lifted).toMatchObject({ liftedBy: 'human:m2', liftedAt: T + 1, liftReason: 'ok' });
      expect(await s.suspensions.lift('susp-1', { actor: 'human:m2', reason: 'again', at: T + 2 })).toBeNull();
      expect(await s.suspensions.listActive()).toEqual([]);
      expect((await s.suspensions.list()).length).toBe(1);
      const kinds = (await s.audit.range(1, 100)).map((e) => e.kind);
      expect(kinds).toEqual(['suspension_set', 'suspension_lifted']);
    });

    it('publications: one pending request per version, decided once', async () => {
      const s = await open();
      await s.publications.request({ versionId: 'v@1', requestedBy: 'human:a', reason: 'r', requestedAt: T });
      expect((await s.publications.listPending()).map((p) => p.versionId)).toEqual(['v@1']);
      const decided = await s.publications.decide('v@1', { actor: 'human:b', approve: true, at: T + 1 });
      expect(decided).toMatchObject({ status: 'approved', decidedBy: 'human:b' });
      expect(await s.publications.decide('v@1', { actor: 'human:c', approve: false, at: T + 2 })).toBeNull();
      expect(await s.publications.listPending()).toEqual([]);
    });

    it('shadow: candidate pointer, sessions and decisions in order, idempotent', async () => {
      const s = await open();
      expect(await s.shadow.getCandidate()).toBeNull();
      await s.shadow.setCandidate('c@1', { actor: 'human:m', reason: 'try', at: T });
      expect(await s.shadow.getCandidate()).toEqual({ versionId: 'c@1', startedAt: T });
      await s.shadow.addSession('c@1', 's1', T);
      await s.shadow.addSession('c@1', 's1', T);
      const d = (n: number): Decision => ({
        id: `s1:d${n}`,
        proposalId: `p${n}`,
        sessionId: 's1',
        kind: 'say',
        outcome: 'allow',
        rationale: [{ rule: 'r', facts: {}, message: 'm' }],
        policyVersion: 'c@1',
        stateRef: { seq: n, state: 'x' },
        at: T + n,
      });
      await s.shadow.addDecisions('c@1', 's1', [
        { ord: 1, decision: d(3) },
        { ord: 0, decision: d(2) },
      ]);
      await s.shadow.addDecisions('c@1', 's1', [{ ord: 0, decision: d(2) }]);
      expect(await s.shadow.listSessions('c@1')).toEqual(['s1']);
      expect((await s.shadow.listDecisions('c@1', 's1')).map((x) => x.id)).toEqual(['s1:d2', 's1:d3']);
      await s.shadow.setCandidate(null, { actor: 'human:m', reason: 'done', at: T + 5 });
      expect(await s.shadow.getCandidate()).toBeNull();
      const kinds = (await s.audit.range(1, 100)).map((e) => e.kind);
      expect(kinds).toEqual(['shadow_started', 'shadow_stopped']);
    });
  });
}
