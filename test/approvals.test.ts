import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalService, awaitDecision, overrideGrantOf } from '../src/approvals/index.ts';
import { verifyChain } from '../src/audit/verify.ts';
import type { Proposal } from '../src/model/index.ts';
import type { ApprovalEvent, Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';
import { heldDecision } from './store-fixtures.ts';

const T = 1_700_000_000_000;
const DEADLINE = T + 90_000;
const maria = { id: 'maria', roles: ['approver'] };
const jon = { id: 'jon', roles: ['approver', 'manager'] };
const rep = { id: 'rep', roles: ['rep'] };
const discount = (value: number): Pick<Proposal, 'kind' | 'params'> => ({
  kind: 'concession',
  params: { type: 'percent_off', value },
});

for (const backend of BACKENDS) {
  describe(`approvals (${backend.name})`, () => {
    let place: Place;
    let store: Store;
    let approvals: ApprovalService;
    const hold = async (id: string, approversRequired = 1, sessionId = 's1') => {
      await store.record({ actor: 'agent:a', decision: heldDecision(id, sessionId, approversRequired, DEADLINE) });
      return `${id}.approval`;
    };
    const kinds = async () => (await store.audit.range(1, 1000)).map((e) => e.kind);

    beforeEach(async () => {
      place = await backend.place();
      store = await place.open();
      approvals = new ApprovalService(store, { overrideTtlMs: 60_000 });
    });
    afterEach(async () => {
      await place.cleanup();
    });

    it('one approver approves: an override bound to session, kind and bound is minted; retries change nothing', async () => {
      const id = await hold('h1');
      const first = await approvals.approve(id, maria, 'fine', T + 1000);
      expect(first).toMatchObject({ status: 'approved', changed: true });
      expect(first.status === 'approved' && first.override).toMatchObject({
        id: `${id}.override`,
        sessionId: 's1',
        kind: 'concession',
        bound: { type: 'percent_off', value: 25 },
        expiresAt: T + 61_000,
        usedAt: null,
      });
      const retry = await approvals.approve(id, maria, 'fine', T + 1500);
      expect(retry).toMatchObject({ status: 'approved', changed: false });
      await expect(approvals.approve(id, jon, 'me too', T + 2000)).rejects.toMatchObject({
        code: 'GL_APPROVAL_CLOSED',
      });
      const row = await store.approvals.get(id);
      expect(row?.votes.map((v) => v.approverId)).toEqual(['maria']);
      expect(
        row && first.status === 'approved' && first.override && overrideGrantOf(row, first.override),
      ).toMatchObject({
        approvalId: id,
        approvers: ['maria'],
      });
      expect(await kinds()).toEqual(['decision', 'approval_requested', 'approval_decided', 'approval_vote']);
    });

    it('approving takes the approver role; a refused attempt is audited', async () => {
      const id = await hold('h1');
      await expect(approvals.approve(id, rep, 'sure', T + 1)).rejects.toMatchObject({ code: 'GL_APPROVAL_FORBIDDEN' });
      expect((await store.approvals.get(id))?.status).toBe('pending');
      const last = (await store.audit.range(1, 100)).at(-1);
      expect(last).toMatchObject({
        kind: 'approval_vote',
        actor: 'human:rep',
        payload: { refused: 'GL_APPROVAL_FORBIDDEN' },
      });
      await expect(approvals.approve('nope', maria, 'x', T)).rejects.toMatchObject({ code: 'GL_APPROVAL_NOT_FOUND' });
    });

    it('two approvers required: the same approver twice is one vote; a second, different approver decides', async () => {
      const id = await hold('h2', 2);
      expect(await approvals.approve(id, maria, 'ok', T + 1)).toMatchObject({ status: 'pending', changed: true });
      expect(await approvals.approve(id, maria, 'ok again', T + 2)).toMatchObject({
        status: 'pending',
        changed: false,
      });
      expect(await approvals.approve(id, jon, 'ok', T + 3)).toMatchObject({ status: 'approved', changed: true });
      expect((await store.approvals.get(id))?.votes.map((v) => v.approverId)).toEqual(['maria', 'jon']);
    });

    it('one deny settles it', async () => {
      const id = await hold('h2', 2);
      await approvals.approve(id, maria, 'ok', T + 1);
      expect(await approvals.deny(id, jon, 'too deep', T + 2)).toMatchObject({ status: 'denied', changed: true });
      await expect(approvals.approve(id, { id: 'ann', roles: ['approver'] }, 'x', T + 3)).rejects.toMatchObject({
        code: 'GL_APPROVAL_CLOSED',
      });
      expect((await store.approvals.get(id))?.overrideId).toBeNull();
    });

    it('race: two approvers at once on a one-approver request — exactly one decides, one override', async () => {
      const id = await hold('h3');
      const other = new ApprovalService(await place.open());
      const results = await Promise.allSettled([
        approvals.approve(id, maria, 'a', T + 10),
        approvals.approve(id, jon, 'b', T + 10),
        other.approve(id, { id: 'ann', roles: ['approver'] }, 'c', T + 10),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled').length).toBe(1);
      const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      expect(refused.map((r) => r.reason.code)).toEqual(['GL_APPROVAL_CLOSED', 'GL_APPROVAL_CLOSED']);
      const row = await store.approvals.get(id);
      expect(row?.status).toBe('approved');
      expect(row?.votes.length).toBe(1);
      expect((await kinds()).filter((k) => k === 'approval_decided').length).toBe(1);
    });

    it('race: two approvers at once on a two-approver request — both count, it is approved once', async () => {
      const id = await hold('h4', 2);
      const other = new ApprovalService(await place.open());
      const results = await Promise.all([
        approvals.approve(id, maria, 'a', T + 10),
        other.approve(id, jon, 'b', T + 10),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['approved', 'pending']);
      const row = await store.approvals.get(id);
      expect(row?.status).toBe('approved');
      expect(row?.votes.map((v) => v.approverId).sort()).toEqual(['jon', 'maria']);
    });

    it('approve after the deadline: expired, not approved; expireDue expires the unanswered', async () => {
      const late = await hold('h5');
      await expect(approvals.approve(late, maria, 'sorry, late', DEADLINE)).rejects.toMatchObject({
        code: 'GL_APPROVAL_EXPIRED',
      });
      expect(await store.approvals.get(late)).toMatchObject({ status: 'expired', overrideId: null });
      const quiet = await hold('h6');
      expect(await approvals.expireDue(DEADLINE - 1)).toEqual([]);
      expect((await approvals.expireDue(DEADLINE)).map((a) => a.id)).toEqual([quiet]);
      expect(await approvals.expireDue(DEADLINE + 1)).toEqual([]);
      await expect(approvals.approve(quiet, maria, 'x', DEADLINE + 2)).rejects.toMatchObject({
        code: 'GL_APPROVAL_EXPIRED',
      });
      expect((await kinds()).filter((k) => k === 'approval_expired').length).toBe(2);
    });

    it('an override is used once, on its session, for its kind, within its bound, before it expires', async () => {
      const id = await hold('h7');
      const approved = await approvals.approve(id, maria, 'ok', T + 1000);
      const overrideId = approved.status === 'approved' ? (approved.override?.id as string) : '';
      const use = (
        sessionId: string,
        proposal: Pick<Proposal, 'kind' | 'params'>,
        decisionId: string,
        now = T + 2000,
      ) => approvals.useOverride(overrideId, { sessionId, proposal, decisionId, actor: 'agent:a' }, now);

      expect(await use('s2', discount(25), 'x1')).toEqual({ ok: false, reason: 'other_session' });
      expect(await use('s1', { kind: 'transfer', params: { target: 'x' } }, 'x2')).toEqual({
        ok: false,
        reason: 'other_kind',
      });
      expect(await use('s1', discount(30), 'x3')).toEqual({ ok: false, reason: 'above_bound' });
      expect(await use('s1', discount(25), 'x4', T + 61_000)).toEqual({ ok: false, reason: 'expired' });
      expect(await use('s1', discount(20), 'x5')).toMatchObject({ ok: true, override: { usedByDecision: 'x5' } });
      expect(await use('s1', discount(20), 'x6')).toEqual({ ok: false, reason: 'already_used' });
      expect(
        await approvals.useOverride(
          'nope',
          { sessionId: 's1', proposal: discount(1), decisionId: 'x7', actor: 'agent:a' },
          T,
        ),
      ).toEqual({
        ok: false,
        reason: 'unknown',
      });
      const audit = (await store.audit.range(1, 100)).filter((e) => e.kind.startsWith('override_'));
      expect(audit.map((e) => [e.kind, (e.payload as { refused?: string }).refused ?? null])).toEqual([
        ['override_refused', 'other_session'],
        ['override_refused', 'other_kind'],
        ['override_refused', 'above_bound'],
        ['override_refused', 'expired'],
        ['override_used', null],
        ['override_refused', 'already_used'],
        ['override_refused', 'unknown'],
      ]);
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report.ok).toBe(true);
    });

    it('race: a replayed override used twice at once is consumed exactly once', async () => {
      const id = await hold('h8');
      const approved = await approvals.approve(id, maria, 'ok', T + 1000);
      const overrideId = approved.status === 'approved' ? (approved.override?.id as string) : '';
      const other = new ApprovalService(await place.open());
      const uses = await Promise.all(
        [approvals, other, approvals, other].map((svc, i) =>
          svc.useOverride(
            overrideId,
            { sessionId: 's1', proposal: discount(25), decisionId: `u${i}`, actor: 'agent:a' },
            T + 2000,
          ),
        ),
      );
      expect(uses.filter((u) => u.ok).length).toBe(1);
      expect((await store.overrides.get(overrideId))?.usedAt).toBe(T + 2000);
    });

    it('an approval made through one node reaches a session waiting on another node', async () => {
      const nodeB = await place.open();
      const id = await hold('h9');
      const seen: ApprovalEvent[] = [];
      await store.onApproval((e) => seen.push(e));
      const waiting = awaitDecision(store, id, 5000);
      await new ApprovalService(nodeB).approve(id, maria, 'go', T + 5);
      const decided = await waiting;
      expect(decided).toMatchObject({ id, status: 'approved', overrideId: `${id}.override` });
      await waitFor(() => seen.some((e) => e.approvalId === id && e.status === 'approved'));
      expect(await awaitDecision(store, 'h-none.approval', 50)).toBeNull();
    });
  });
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
