import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyChain } from '../src/audit/verify.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import type { Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';
import { decision, heldDecision, meta } from './store-fixtures.ts';

const T = 1_700_000_000_000;

for (const backend of BACKENDS) {
  describe(`store (${backend.name})`, () => {
    let place: Place;
    let store: Store;
    beforeEach(async () => {
      place = await backend.place();
      store = await place.open();
    });
    afterEach(async () => {
      await place.cleanup();
    });

    it('migrates on open, once, and a second open of the same database is a no-op', async () => {
      const again = await place.open();
      const rows = await place.sql('SELECT id FROM schema_migrations');
      expect(rows.map((r) => r.id).sort()).toEqual(MIGRATIONS.map((m) => m.id).sort());
      expect(again.backend).toBe(backend.name);
    });

    it('moves decisions recorded before 005_decisions_by_seq to the new table, readable as before', async () => {
      for (const [id, sessionId] of [
        ['d1', 's1'],
        ['d2', 's2'],
        ['d3', 's1'],
      ] as const) {
        await store.record({ actor: 'agent:a', decision: decision(id, sessionId) });
      }
      const before = { s1: await store.decisions.listBySession('s1'), d2: await store.decisions.get('d2') };
      await store.close();
      // The table as 001_core made it, holding each decision's JSON, and 005 not yet applied.
      await place.sql('DROP TABLE decisions');
      await place.sql(
        `CREATE TABLE decisions (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, proposal_id TEXT NOT NULL,
         kind TEXT NOT NULL, outcome TEXT NOT NULL, at BIGINT NOT NULL, audit_seq BIGINT NOT NULL, body TEXT NOT NULL)`,
      );
      await place.sql(
        `INSERT INTO decisions (id, session_id, proposal_id, kind, outcome, at, audit_seq, body)
         SELECT substr(id, 10), session_id, 'p', 'concession', 'allow', at, seq, payload FROM audit_entries
         WHERE kind = 'decision'`,
      );
      await place.sql("DELETE FROM schema_migrations WHERE id = '005_decisions_by_seq'");
      store = await place.open();
      expect(await store.decisions.listBySession('s1')).toEqual(before.s1);
      expect(await store.decisions.get('d2')).toEqual(before.d2);
      expect(await store.decisions.get('nope')).toBeNull();
      await expect(store.record({ actor: 'agent:a', decision: decision('d1', 's1') })).rejects.toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
    });

    it('keeps the signed heads recorded before 008_audit_signatures_by_seq, and the chain verifies', async () => {
      for (const id of ['d1', 'd2', 'd3']) await store.record({ actor: 'agent:a', decision: decision(id, 's1') });
      await store.close();
      const before = await place.sql(
        'SELECT seq, hash, key_id, signature, signed_at FROM audit_signatures ORDER BY seq',
      );
      // The table as 001_core made it, and 008 not yet applied.
      await place.sql('ALTER TABLE audit_signatures RENAME TO audit_signatures_now');
      await place.sql(
        `CREATE TABLE audit_signatures (seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, key_id TEXT NOT NULL,
         signature TEXT NOT NULL, signed_at BIGINT NOT NULL)`,
      );
      await place.sql('INSERT INTO audit_signatures SELECT * FROM audit_signatures_now');
      await place.sql('DROP TABLE audit_signatures_now');
      await place.sql("DELETE FROM schema_migrations WHERE id = '008_audit_signatures_by_seq'");
      store = await place.open();
      expect(
        await place.sql('SELECT seq, hash, key_id, signature, signed_at FROM audit_signatures ORDER BY seq'),
      ).toEqual(before);
      await store.record({ actor: 'agent:a', decision: decision('d4', 's1') });
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 4 });
    });

    it("finds a session's entries whether the bulk index holds them yet or not", async () => {
      for (const [id, sessionId] of [
        ['d1', 's1'],
        ['d2', 's2'],
        ['d3', 's1'],
        ['d4', 's1'],
      ] as const) {
        await store.record({ actor: 'agent:a', decision: decision(id, sessionId) });
      }
      await store.close();
      // Closing caught the index up with the chain.
      const indexed = await place.sql('SELECT session_id, seq FROM audit_session_index ORDER BY seq');
      expect(indexed.map((r) => r.session_id)).toEqual(['s1', 's2', 's1', 's1']);
      const [mark] = await place.sql("SELECT seq FROM index_marks WHERE name = 'audit_session_index'");
      expect(Number(mark?.seq)).toBe(Number(indexed[3]?.seq));
      // As if the last catch-up had covered only the first two entries: d3 and d4 lie after the mark.
      await place.sql('DELETE FROM audit_session_index WHERE seq > ?', [indexed[1]?.seq]);
      await place.sql(
        "UPDATE index_marks SET seq = ?, hash = (SELECT hash FROM audit_entries WHERE seq = ?) WHERE name = 'audit_session_index'",
        [indexed[1]?.seq, indexed[1]?.seq],
      );
      store = await place.open();
      await store.record({ actor: 'agent:a', decision: decision('d5', 's1') });
      expect((await store.decisions.listBySession('s1')).map((d) => d.id)).toEqual(['d1', 'd3', 'd4', 'd5']);
      expect((await store.audit.listBySession('s2')).map((e) => e.id)).toEqual(['decision:d2']);
      await store.close();
      expect(await place.sql('SELECT session_id FROM audit_session_index ORDER BY seq')).toHaveLength(5);
    });

    it('catches the bulk index up while open, within a second of the entries committing', async () => {
      await store.record({ actor: 'agent:a', decision: decision('d1', 's1') });
      await vi.waitFor(
        async () =>
          expect(await place.sql('SELECT session_id FROM audit_session_index')).toEqual([{ session_id: 's1' }]),
        { timeout: 1000, interval: 50 },
      );
    });

    it('indexes every entry up to the mark while nodes append and catch the index up at once', async () => {
      const nodeB = await place.open();
      let writing = true;
      const writer = async (node: Store, prefix: string) => {
        for (let i = 0; writing; i++) {
          await Promise.all(
            Array.from({ length: 5 }, (_, j) =>
              node.record({ actor: 'agent:a', decision: decision(`${prefix}${i}-${j}`, `s${j}`) }),
            ),
          );
        }
      };
      const writers = [writer(store, 'a'), writer(nodeB, 'b')];
      // Each node opened or closed catches up: many catch-ups, each beside both nodes' commits.
      const checks: { mark: number; indexed: number; entries: number }[] = [];
      for (let round = 0; round < 8; round++) {
        const visitor = await place.open();
        await visitor.close();
        const [row] = await place.sql(
          `SELECT m.seq AS mark,
             (SELECT COUNT(*) FROM audit_session_index i WHERE i.seq <= m.seq) AS indexed,
             (SELECT COUNT(*) FROM audit_entries e WHERE e.seq <= m.seq AND e.session_id IS NOT NULL) AS entries
           FROM index_marks m WHERE m.name = 'audit_session_index'`,
        );
        checks.push({ mark: Number(row?.mark), indexed: Number(row?.indexed), entries: Number(row?.entries) });
      }
      writing = false;
      await Promise.all(writers);
      expect(checks.at(-1)?.mark).toBeGreaterThan(0);
      for (const check of checks) expect(check.indexed).toBe(check.entries);
    });

    it('commits decisions while a catch-up of the session index waits for its lock', async () => {
      const hold = await place.holdSessionIndex();
      try {
        await store.record({ actor: 'agent:a', decision: decision('d1', 's1') });
        // The index is behind: within 250 ms a catch-up begins, and waits for the hold.
        await new Promise((resolve) => setTimeout(resolve, 600));
        if ((await hold.waiters()) !== null) await vi.waitFor(async () => expect(await hold.waiters()).toBe(1));
        const second = store.record({ actor: 'agent:a', decision: decision('d2', 's1') }).then(() => 'committed');
        const stuck = new Promise((resolve) => setTimeout(() => resolve('waited for the catch-up'), 3000));
        expect(await Promise.race([second, stuck])).toBe('committed');
      } finally {
        await hold.release();
      }
      await vi.waitFor(async () => expect(await place.sql('SELECT seq FROM audit_session_index')).toHaveLength(2), {
        timeout: 3000,
        interval: 50,
      });
    });

    it('indexes the entries recorded before 006_audit_session_index in bulk when it runs', async () => {
      await store.record({ actor: 'agent:a', decision: decision('d1', 's1') });
      await store.record({ actor: 'agent:a', decision: decision('d2', 's2') });
      await store.close();
      await place.sql('DROP TABLE audit_session_index');
      await place.sql('DROP TABLE index_marks');
      await place.sql('CREATE INDEX audit_entries_session ON audit_entries (session_id, seq)');
      await place.sql(
        "DELETE FROM schema_migrations WHERE id IN ('006_audit_session_index', '007_session_index_file')",
      );
      store = await place.open();
      expect((await store.decisions.listBySession('s2')).map((d) => d.id)).toEqual(['d2']);
      await store.close();
      expect(await place.sql('SELECT session_id FROM audit_session_index ORDER BY seq')).toEqual([
        { session_id: 's1' },
        { session_id: 's2' },
      ]);
    });

    it('creates, lists and ends sessions; a duplicate id is a conflict', async () => {
      await store.sessions.create(meta('s1', { contactId: 'c-1', dealId: 'd-1' }), 'policy-1', T);
      await store.sessions.create(meta('s2', { contactId: 'c-1' }), 'policy-1', T + 1);
      await expect(store.sessions.create(meta('s1'), 'policy-1', T + 2)).rejects.toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      expect((await store.sessions.listByCrmObject('contact', 'c-1')).map((s) => s.id)).toEqual(['s2', 's1']);
      expect((await store.sessions.listByCrmObject('deal', 'd-1')).map((s) => s.id)).toEqual(['s1']);
      const ended = await store.sessions.end('s1', T + 10, 'opt_out');
      expect(ended).toMatchObject({ id: 's1', endedAt: T + 10, endReason: 'opt_out' });
      await store.sessions.end('s1', T + 20, 'again');
      expect((await store.sessions.get('s1'))?.endedAt).toBe(T + 10);
      expect((await store.sessions.listLive()).map((s) => s.id)).toEqual(['s2']);
      const kinds = (await store.audit.listBySession('s1')).map((e) => e.kind);
      expect(kinds).toEqual(['session_started', 'session_ended']);
    });

    it('lists the live sessions of nodes not seen since a time, or never, and not those recorded without a node', async () => {
      await store.nodes.heartbeat('node-a', T);
      await store.nodes.heartbeat('node-b', T);
      await store.nodes.heartbeat('node-b', T + 100);
      await store.sessions.create(meta('on-a'), 'policy-1', T, 'node-a');
      await store.sessions.create(meta('on-b'), 'policy-1', T, 'node-b');
      await store.sessions.create(meta('on-a-ended'), 'policy-1', T, 'node-a');
      await store.sessions.end('on-a-ended', T + 1, 'call_ended');
      await store.sessions.create(meta('on-unknown'), 'policy-1', T, 'node-never-seen');
      await store.sessions.create(meta('no-node'), 'policy-1', T);
      const orphaned = async (seenBefore: number) => (await store.sessions.listOrphaned(seenBefore)).map((s) => s.id);
      expect(await orphaned(T + 50)).toEqual(['on-a', 'on-unknown']);
      expect(await orphaned(T)).toEqual(['on-unknown']);
      await store.nodes.leave('node-b');
      expect(await orphaned(T)).toEqual(['on-b', 'on-unknown']);
    });

    it('keeps the inputs of a session in order; re-appending a seq keeps the first', async () => {
      await store.inputs.append({ sessionId: 's1', seq: 1, at: T + 1, type: 'transcript', payload: { text: 'b' } });
      await store.inputs.append({ sessionId: 's1', seq: 0, at: T, type: 'start', payload: {} });
      await store.inputs.append({ sessionId: 's1', seq: 1, at: T + 1, type: 'transcript', payload: { text: 'x' } });
      const inputs = await store.inputs.list('s1');
      expect(inputs.map((i) => [i.seq, i.type, i.payload])).toEqual([
        [0, 'start', {}],
        [1, 'transcript', { text: 'b' }],
      ]);
    });

    it('group-commits concurrent decisions: all durable, chained, fewer signed heads than entries', async () => {
      const n = 300;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.record({
            actor: 'agent:agent-1',
            decision: decision(`d${i}`, 's1', { at: T + i, stateRef: { seq: i, state: 'live' } }),
            input: { sessionId: 's1', seq: i, at: T + i, type: 'propose', payload: { i } },
          }),
        ),
      );
      const seqs = results.map((r) => r.entries[0]?.seq);
      expect(new Set(seqs).size).toBe(n);
      expect((await store.decisions.listBySession('s1')).map((d) => d.id)).toEqual(results.map((_, i) => `d${i}`));
      expect(await store.decisions.get('d7')).toMatchObject({ id: 'd7', outcome: 'allow' });
      expect((await store.inputs.list('s1')).length).toBe(n);
      const heads = await store.audit.signatures(1, n);
      expect(heads.length).toBeGreaterThan(0);
      expect(heads.length).toBeLessThan(n / 10);
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: n, lastSeq: n });
    });

    it('two nodes appending at once keep one linear, signed chain', async () => {
      const nodeB = await place.open();
      const write = (node: Store, prefix: string) =>
        Array.from({ length: 100 }, (_, i) =>
          node.record({ actor: 'agent:a', decision: decision(`${prefix}${i}`, prefix) }),
        );
      await Promise.all([...write(store, 'a'), ...write(nodeB, 'b')]);
      const report = await verifyChain(nodeB.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 200, lastSeq: 200 });
    });

    it("two nodes catching the session index up at once index every entry once, and agree on each session's entries", async () => {
      const nodeB = await place.open();
      const write = (node: Store, prefix: string) =>
        Array.from({ length: 60 }, (_, i) =>
          node.record({ actor: 'agent:a', decision: decision(`${prefix}${i}`, `s${i % 3}`) }),
        );
      await Promise.all([...write(store, 'a'), ...write(nodeB, 'b')]);
      // Both close at once: each catches up, one after the other under the chain's head.
      await Promise.all([store.close(), nodeB.close()]);
      const indexed = await place.sql('SELECT COUNT(*) AS n FROM audit_session_index');
      expect(Number(indexed[0]?.n)).toBe(120);
      const [mark] = await place.sql("SELECT seq FROM index_marks WHERE name = 'audit_session_index'");
      expect(Number(mark?.seq)).toBe(120);
      store = await place.open();
      const s1 = await store.decisions.listBySession('s1');
      expect(s1).toHaveLength(40);
      expect(new Set(s1.map((d) => d.id)).size).toBe(40);
    });

    it('nodes taking turns append after each other, never over each other', async () => {
      const nodeB = await place.open();
      for (let i = 0; i < 3; i++) {
        await store.record({ actor: 'agent:a', decision: decision(`a${i}`, 'a') });
        await nodeB.record({ actor: 'agent:b', decision: decision(`b${i}`, 'b') });
      }
      const entries = await store.audit.range(1, 10);
      expect(entries.map((e) => e.id)).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2'].map((id) => `decision:${id}`));
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 6, lastSeq: 6 });
    });

    it('a failing item in a group commit fails alone', async () => {
      await store.record({ actor: 'agent:a', decision: decision('dup', 's1') });
      const outcomes = await Promise.allSettled([
        store.record({ actor: 'agent:a', decision: decision('ok-1', 's1') }),
        store.record({ actor: 'agent:a', decision: decision('dup', 's1') }),
        store.record({ actor: 'agent:a', decision: decision('ok-2', 's1') }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'GL_STORE_CONFLICT' });
      expect((await store.decisions.listBySession('s1')).map((d) => d.id)).toEqual(['dup', 'ok-1', 'ok-2']);
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 3 });
    });

    it('refuses a decision id recorded before, whether the bulk index holds it yet or not, and within one group', async () => {
      await store.record({ actor: 'agent:a', decision: decision('old', 's1') });
      await store.close();
      // Closing caught the index up: 'old' is indexed, 'recent' is recorded after the mark.
      store = await place.open();
      await store.record({ actor: 'agent:a', decision: decision('recent', 's2') });
      const outcomes = await Promise.allSettled([
        store.record({ actor: 'agent:a', decision: decision('old', 's1') }),
        store.record({ actor: 'agent:a', decision: decision('recent', 's2') }),
        store.record({ actor: 'agent:a', decision: decision('twice', 's1') }),
        store.record({ actor: 'agent:a', decision: decision('twice', 's1') }),
        store.record({ actor: 'agent:a', decision: decision('new', 's1') }),
      ]);
      expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : (o.reason as { code: string }).code))).toEqual([
        'GL_STORE_CONFLICT',
        'GL_STORE_CONFLICT',
        'ok',
        'GL_STORE_CONFLICT',
        'ok',
      ]);
      // Another node on the same database is refused too, before and after the next catch-up.
      const other = await place.open();
      await expect(other.record({ actor: 'agent:b', decision: decision('new', 's1') })).rejects.toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      await other.close();
      await expect(store.record({ actor: 'agent:a', decision: decision('twice', 's1') })).rejects.toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      for (const id of ['old', 'recent', 'twice', 'new']) expect((await store.decisions.get(id))?.id).toBe(id);
      expect(await store.decisions.get('never')).toBeNull();
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 4 });
    });

    it("one input's writes are durable together or not at all, even when they share a group with others", async () => {
      await store.record({ actor: 'agent:a', decision: decision('dup', 's1') });
      const input = (seq: number) => ({ sessionId: 's1', seq, at: T + seq, type: 'propose', payload: { seq } });
      const endCall = {
        id: 's1:x9',
        sessionId: 's1',
        kind: 'end_call' as const,
        rule: 'consent.opt_out',
        message: 'End the call.',
        policyVersion: 'v1',
        at: T + 9,
      };
      const dnc = {
        id: 's1:dnc',
        sessionId: 's1',
        decisionId: 's1:x9',
        idempotencyKey: 'dnc:s1',
        object: 'contact' as const,
        objectId: '101',
        properties: { hs_do_not_call: 'true' },
        createdAt: T + 9,
      };
      const outcomes = await Promise.allSettled([
        store.recordInput({
          input: input(8),
          items: [{ actor: 'agent:a', decision: decision('ok', 's1'), input: input(8) }],
        }),
        // Its directive is fine, its decision is not: neither may land, nor its input row or CRM write.
        store.recordInput({
          input: input(9),
          items: [
            { actor: 'system', directive: endCall, input: input(9), outbox: [dnc] },
            { actor: 'agent:a', decision: decision('dup', 's1'), input: input(9) },
          ],
        }),
        store.recordInput({ input: input(10), items: [] }),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((await store.decisions.listBySession('s1')).map((d) => d.id)).toEqual(['dup', 'ok']);
      expect(await store.directives.listBySession('s1')).toEqual([]);
      expect((await store.inputs.list('s1')).map((i) => i.seq)).toEqual([8, 10]);
      expect(await store.outbox.get('s1:dnc')).toBeNull();
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: 2 });
    });

    it('items arriving while a failing group commits are each committed once, in the order they came', async () => {
      await store.record({ actor: 'agent:a', decision: decision('dup', 's1') });
      const ids: string[] = [];
      const pending: Promise<string>[] = [];
      // Items keep coming, a few every millisecond: a group is still committing when the next forms.
      for (let tick = 0; tick < 40; tick++) {
        for (let i = 0; i < 3; i++) {
          const id = tick % 10 === 5 && i === 1 ? 'dup' : `t${tick}-${i}`;
          ids.push(id);
          pending.push(
            store.record({ actor: 'agent:a', decision: decision(id, 's1') }).then(
              () => 'ok',
              (e) => `${id}: ${e.code}`,
            ),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const refused = (await Promise.all(pending)).filter((o) => o !== 'ok');
      expect(refused).toEqual(Array.from({ length: 4 }, () => 'dup: GL_STORE_CONFLICT'));
      const stored = (await store.decisions.listBySession('s1')).map((d) => d.id);
      expect(stored).toEqual(['dup', ...ids.filter((id) => id !== 'dup')]);
      const report = await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) });
      expect(report).toMatchObject({ ok: true, checked: stored.length });
    });

    it("lists one tenant's sessions and approvals, newest first, filling the page with that tenant's own", async () => {
      // The newest rows belong to another tenant: a page of 2 must still hold 2 of acme's.
      for (const [i, tenantId] of ['acme', 'acme', 'acme', 'globex', 'globex', 'globex'].entries()) {
        await store.sessions.create(meta(`t${i}`, { tenantId }), 'policy-1', T + i);
        await store.record({
          actor: 'agent:agent-1',
          decision: { ...heldDecision(`h${i}`, `t${i}`, 1), at: T + i },
          tenantId,
          agentId: 'agent-1',
        });
      }
      const sessions = await store.sessions.list({ tenantId: 'acme', limit: 2 });
      expect(sessions.map((x) => x.id)).toEqual(['t2', 't1']);
      expect((await store.sessions.list({ tenantId: 'acme', status: 'ended' })).length).toBe(0);
      expect((await store.sessions.list({ limit: 2 })).map((x) => x.id)).toEqual(['t5', 't4']);
      const approvals = await store.approvals.list({ tenantId: 'acme', status: 'pending', limit: 2 });
      expect(approvals.map((a) => [a.id, a.tenantId])).toEqual([
        ['h2.approval', 'acme'],
        ['h1.approval', 'acme'],
      ]);
      expect((await store.approvals.list({ tenantId: 'initech' })).length).toBe(0);
    });

    it('records a needs_approval decision with its approval request, a directive, and outbox rows', async () => {
      const events: string[] = [];
      await store.onApproval((e) => events.push(`${e.approvalId}:${e.status}`));
      const result = await store.record({
        actor: 'agent:agent-1',
        decision: heldDecision('h1', 's1', 2),
        tenantId: 'tenant-1',
        agentId: 'agent-1',
        outbox: [
          {
            id: 'o1',
            sessionId: 's1',
            decisionId: 'h1',
            idempotencyKey: 'h1:note',
            object: 'note',
            objectId: null,
            properties: { hs_note_body: 'held' },
            createdAt: T,
          },
        ],
      });
      expect(result.entries.map((e) => e.kind)).toEqual(['decision', 'approval_requested']);
      const approval = await store.approvals.get('h1.approval');
      expect(approval).toMatchObject({
        status: 'pending',
        sessionId: 's1',
        decisionId: 'h1',
        approversRequired: 2,
        votes: [],
        tenantId: 'tenant-1',
        version: 1,
      });
      expect((await store.approvals.listPending()).map((a) => a.id)).toEqual(['h1.approval']);
      expect(await store.outbox.get('o1')).toMatchObject({ status: 'pending', attempts: 0, previous: null });
      await store.record({
        actor: 'system',
        directive: {
          id: 'dir1',
          sessionId: 's1',
          kind: 'end_call',
          rule: 'opt_out',
          message: 'Opted out.',
          policyVersion: 'policy-1',
          at: T + 5,
        },
      });
      expect((await store.directives.listBySession('s1')).map((d) => d.id)).toEqual(['dir1']);
      await waitFor(() => events.includes('h1.approval:pending'));
    });

    it('outbox: idempotent enqueue, leased claims that never overlap, every status change', async () => {
      for (let i = 0; i < 6; i++) {
        await store.outbox.enqueue({
          id: `o${i}`,
          sessionId: 's1',
          decisionId: `d${i}`,
          idempotencyKey: `k${i}`,
          object: 'contact',
          objectId: '101',
          properties: { lifecyclestage: 'opportunity' },
          createdAt: T + i,
        });
      }
      const again = await store.outbox.enqueue({
        id: 'other',
        sessionId: 's1',
        decisionId: 'd0',
        idempotencyKey: 'k0',
        object: 'contact',
        objectId: '101',
        properties: {},
        createdAt: T,
      });
      expect(again.id).toBe('o0');
      const [a, b] = await Promise.all([
        store.outbox.claimDue(T + 100, 4, 1000),
        store.outbox.claimDue(T + 100, 4, 1000),
      ]);
      const claimed = [...(a ?? []), ...(b ?? [])].map((r) => r.id);
      expect(new Set(claimed).size).toBe(6);
      expect(claimed.length).toBe(6);
      expect(await store.outbox.claimDue(T + 500, 10, 1000)).toEqual([]);
      const reclaimed = await store.outbox.claimDue(T + 1100, 1, 1000);
      expect(reclaimed.map((r) => [r.id, r.attempts])).toEqual([['o0', 2]]);

      expect(await store.outbox.recordPrevious('o1', { lifecyclestage: 'lead' }, T + 2000)).toMatchObject({
        previous: { lifecyclestage: 'lead' },
      });
      expect((await store.outbox.recordPrevious('o1', { lifecyclestage: 'x' }, T + 2001))?.previous).toEqual({
        lifecyclestage: 'lead',
      });
      expect(await store.outbox.markDelivered('o1', { hubspotId: '555', now: T + 2002 })).toMatchObject({
        status: 'delivered',
        hubspotId: '555',
        leaseUntil: null,
        previous: { lifecyclestage: 'lead' },
      });
      expect(
        await store.outbox.scheduleRetry('o2', { nextAttemptAt: T + 9000, error: '429', now: T + 2003 }),
      ).toMatchObject({
        status: 'pending',
        lastError: '429',
        nextAttemptAt: T + 9000,
      });
      expect((await store.outbox.park('o3', { error: '400 bad property', now: T + 2004 }))?.status).toBe('parked');
      expect((await store.outbox.markNotConfigured('o4', { now: T + 2005 }))?.status).toBe('not_configured');
      expect((await store.outbox.markRolledBack('o1', { now: T + 2006 }))?.status).toBe('rolled_back');
      expect((await store.outbox.list({ status: 'parked' })).map((r) => r.id)).toEqual(['o3']);
      expect((await store.outbox.list({ sessionId: 's1' })).length).toBe(6);
      expect(await store.outbox.markDelivered('nope', { hubspotId: null, now: T })).toBeNull();
      // A decision may send a parked write again; a write in another status is left alone.
      await store.record({ actor: 'human:m', decision: decision('dq', 's1', { at: T + 3000 }), requeue: ['o3', 'o4'] });
      expect(await store.outbox.get('o3')).toMatchObject({
        status: 'pending',
        attempts: 0,
        lastError: null,
        nextAttemptAt: T + 3000,
        decisionId: 'dq',
      });
      expect((await store.outbox.get('o4'))?.status).toBe('not_configured');
    });

    it('policies: immutable versions, one active pointer, both audited', async () => {
      const v1 = {
        id: 'p-1',
        label: 'v1',
        contentHash: 'h1',
        yaml: 'a: 1\n',
        author: 'maria',
        reason: 'first',
        createdAt: T,
        parent: null,
      };
      await store.policies.create(v1);
      await store.policies.create(v1);
      await expect(store.policies.create({ ...v1, contentHash: 'h2' })).rejects.toMatchObject({
        code: 'GL_STORE_CONFLICT',
      });
      await store.policies.create({ ...v1, id: 'p-2', contentHash: 'h2', parent: 'p-1', createdAt: T + 1 });
      expect(await store.policies.getActive()).toBeNull();
      await store.policies.setActive('p-1', { actor: 'maria', reason: 'go', at: T + 2 });
      await store.policies.setActive('p-2', { actor: 'maria', reason: 'tighter', at: T + 3 });
      await expect(store.policies.setActive('p-9', { actor: 'maria', reason: 'x', at: T + 4 })).rejects.toMatchObject({
        code: 'GL_STORE_NOT_FOUND',
      });
      expect((await store.policies.getActive())?.id).toBe('p-2');
      expect((await store.policies.list()).map((p) => p.id)).toEqual(['p-1', 'p-2']);
      const entries = await store.audit.range(1, 10);
      expect(entries.map((e) => e.kind)).toEqual([
        'policy_created',
        'policy_created',
        'policy_activated',
        'policy_activated',
      ]);
      expect(entries[3]?.payload).toMatchObject({ id: 'p-2', previous: 'p-1', reason: 'tighter' });
    });

    it('budgets: concurrent charges never pass the cap; several charges apply all or none', async () => {
      const charge = { scope: 'agent:a1', metric: 'calls' as const, day: '2026-11-21', amount: 1, cap: 5 };
      const results = await Promise.all(Array.from({ length: 12 }, () => store.budgets.charge([charge])));
      expect(results.filter((r) => r.ok).length).toBe(5);
      expect(await store.budgets.get('agent:a1', 'calls', '2026-11-21')).toBe(5);
      const tenant = {
        scope: 'tenant:t1',
        metric: 'concession_usd' as const,
        day: '2026-11-21',
        amount: 300,
        cap: 1000,
      };
      const agent = {
        scope: 'agent:a1',
        metric: 'concession_usd' as const,
        day: '2026-11-21',
        amount: 300,
        cap: 500,
      };
      expect((await store.budgets.charge([tenant, agent])).ok).toBe(true);
      const refused = await store.budgets.charge([tenant, agent]);
      expect(refused).toMatchObject({ ok: false, refused: agent, totals: [300, 300] });
      expect(await store.budgets.get('tenant:t1', 'concession_usd', '2026-11-21')).toBe(300);
      expect((await store.budgets.charge([{ ...agent, amount: 600, day: '2026-11-22' }])).ok).toBe(false);
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
