import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportBundle, verifyBundle } from '../src/audit/bundle.ts';
import { bodyHashOf, linkHashOf } from '../src/audit/hash.ts';
import { verifyChain } from '../src/audit/verify.ts';
import { canonicalJson } from '../src/model/canonical-json.ts';
import type { AuditEntry, SignedHead, Store } from '../src/store/types.ts';
import { BACKENDS, type Place } from './store-backends.ts';
import { decision } from './store-fixtures.ts';

const T = 1_700_000_000_000;

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 'é' }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":"é","z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

for (const backend of BACKENDS) {
  describe(`audit chain tamper evidence (${backend.name})`, () => {
    let place: Place;
    let store: Store;
    let key: KeyObject;
    const verify = (extra: { from?: string | number; checkpoint?: SignedHead; publicKey?: KeyObject } = {}) =>
      verifyChain(store.audit, { publicKey: key, ...extra });
    const entry = async (seq: number) => (await store.audit.range(seq, seq))[0] as AuditEntry;

    beforeEach(async () => {
      place = await backend.place();
      store = await place.open();
      key = createPublicKey(store.auditPublicKeyPem);
      // 12 entries, each its own commit (so each is a signed head), sessions s1 and s2 interleaved.
      for (let i = 1; i <= 12; i++) {
        await store.record({ actor: 'agent:a', decision: decision(`d${i}`, i % 3 === 0 ? 's2' : 's1', { at: T + i }) });
      }
    });
    afterEach(async () => {
      await place.cleanup();
    });

    it('an intact chain verifies: every entry and every signed head', async () => {
      expect(await verify()).toMatchObject({ ok: true, checked: 12, lastSeq: 12, signedHeads: 12 });
    });

    it('names an edited entry', async () => {
      await place.sql(`UPDATE audit_entries SET payload = ? WHERE seq = 5`, [canonicalJson({ outcome: 'deny' })]);
      const report = await verify();
      expect(report.problem).toMatchObject({ kind: 'edited', seq: 5, id: 'decision:d5' });
    });

    it('names an edited entry whose hashes were recomputed to hide it', async () => {
      const e = await entry(5);
      const forged = { ...e, payload: { outcome: 'allow', forged: true } };
      const bodyHash = bodyHashOf(forged);
      await place.sql('UPDATE audit_entries SET payload = ?, body_hash = ?, hash = ? WHERE seq = 5', [
        canonicalJson(forged.payload),
        bodyHash,
        linkHashOf(e.prevHash, e.sessionId, bodyHash),
      ]);
      expect((await verify()).problem).toMatchObject({ kind: 'edited', seq: 5, id: 'decision:d5' });
    });

    it('names a deleted entry', async () => {
      await place.sql('DELETE FROM audit_entries WHERE seq = 5');
      expect((await verify()).problem).toMatchObject({ kind: 'deleted', seq: 5 });
    });

    it('names reordered entries', async () => {
      await place.sql('UPDATE audit_entries SET seq = -1 WHERE seq = 5');
      await place.sql('UPDATE audit_entries SET seq = 5 WHERE seq = 6');
      await place.sql('UPDATE audit_entries SET seq = 6 WHERE seq = -1');
      expect((await verify()).problem).toMatchObject({ kind: 'reordered', seq: 5, id: 'decision:d6' });
    });

    it('names an inserted entry (a duplicate seq)', async () => {
      const e = await entry(5);
      await dropSeqKey(place, backend.name);
      await insertRow(place, { ...e, id: 'zz-forged', prevHash: 'f'.repeat(64) });
      expect((await verify()).problem).toMatchObject({ kind: 'inserted', seq: 5, id: 'zz-forged' });
    });

    it('names an inserted entry linked in with correct hashes (the rest renumbered)', async () => {
      const before = await entry(4);
      await place.sql('UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 5');
      await place.sql('UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1000');
      const forged = { ...before, id: 'forged', payload: { outcome: 'allow' }, sessionId: 's1' };
      const bodyHash = bodyHashOf(forged);
      await insertRow(place, {
        ...forged,
        seq: 5,
        prevHash: before.hash,
        bodyHash,
        hash: linkHashOf(before.hash, 's1', bodyHash),
      });
      expect((await verify()).problem).toMatchObject({ kind: 'inserted', seq: 5, id: 'forged' });
    });

    it('catches the newest entry deleted without its signed head', async () => {
      await place.sql('DELETE FROM audit_entries WHERE seq = 12');
      expect((await verify()).problem).toMatchObject({ kind: 'deleted', seq: 12 });
    });

    it('catches truncation (newest entries deleted with their heads) against a checkpoint', async () => {
      const checkpoint = (await store.audit.head()) as SignedHead;
      await place.sql('DELETE FROM audit_entries WHERE seq >= 11');
      await place.sql('DELETE FROM audit_signatures WHERE seq >= 11');
      expect((await verify()).ok).toBe(true);
      expect((await verify({ checkpoint })).problem).toMatchObject({ kind: 'truncated', seq: 11 });
    });

    it('a chain that grew past a checkpoint still extends it; a rewritten one does not', async () => {
      const checkpoint = (await store.audit.head()) as SignedHead;
      await store.record({ actor: 'agent:a', decision: decision('d13', 's1') });
      expect(await verify({ checkpoint })).toMatchObject({ ok: true, checked: 13 });
      await expect(verify({ checkpoint: { ...checkpoint, hash: 'a'.repeat(64) } })).resolves.toMatchObject({
        problem: { kind: 'signature' },
      });
    });

    it('catches a tail rewritten with recomputed hashes (it cannot be re-signed)', async () => {
      let prev = (await entry(4)).hash;
      for (let seq = 5; seq <= 12; seq++) {
        const e = await entry(seq);
        const payload = { ...(e.payload as object), outcome: 'deny' };
        const bodyHash = bodyHashOf({ ...e, payload });
        const hash = linkHashOf(prev, e.sessionId, bodyHash);
        await place.sql('UPDATE audit_entries SET payload = ?, body_hash = ?, prev_hash = ?, hash = ? WHERE seq = ?', [
          canonicalJson(payload),
          bodyHash,
          prev,
          hash,
          seq,
        ]);
        prev = hash;
      }
      expect((await verify()).problem).toMatchObject({ kind: 'edited', seq: 5 });
    });

    it('catches an entry appended outside Guardline (after the last signed head)', async () => {
      const last = await entry(12);
      const forged = { ...last, id: 'appended', payload: { x: 1 } };
      const bodyHash = bodyHashOf(forged);
      await insertRow(place, {
        ...forged,
        seq: 13,
        prevHash: last.hash,
        bodyHash,
        hash: linkHashOf(last.hash, last.sessionId, bodyHash),
      });
      expect((await verify()).problem).toMatchObject({ kind: 'inserted', seq: 13, id: 'appended' });
    });

    it('rejects a forged signature and a chain signed by another key', async () => {
      const other = createPublicKey(generateKeyPairSync('ed25519').privateKey);
      expect((await verify({ publicKey: other })).problem).toMatchObject({ kind: 'signature', seq: 1 });
      const head = await store.audit.head();
      const sig = Buffer.from(head?.signature ?? '', 'base64');
      sig[0] = (sig[0] ?? 0) ^ 1;
      await place.sql('UPDATE audit_signatures SET signature = ? WHERE seq = 12', [sig.toString('base64')]);
      expect((await verify()).problem).toMatchObject({ kind: 'signature', seq: 12 });
    });

    it('--from starts the walk at an entry and trusts its link', async () => {
      await place.sql('UPDATE audit_entries SET payload = ? WHERE seq = 3', ['{"edited":true}']);
      expect((await verify()).problem).toMatchObject({ kind: 'edited', seq: 3 });
      expect(await verify({ from: 'decision:d6' })).toMatchObject({ ok: true, fromSeq: 6, checked: 7 });
      expect(await verify({ from: 6 })).toMatchObject({ ok: true, fromSeq: 6 });
    });

    it('a session bundle verifies offline and shows any change to it', async () => {
      const bundle = await exportBundle(store.audit, 's1', store.auditPublicKeyPem, T);
      const report = verifyBundle(JSON.parse(JSON.stringify(bundle)));
      expect(report).toMatchObject({ ok: true, sessionId: 's1', entries: 8, headSeq: 11 });
      expect(verifyBundle(bundle, key).ok).toBe(true);

      const edited = structuredClone(bundle);
      const full = edited.links.find((l) => 'id' in l) as { payload: unknown };
      full.payload = { outcome: 'allow', edited: true };
      expect(verifyBundle(edited).problem?.message).toMatch(/edited/);

      const withheld = structuredClone(bundle);
      const hidden = withheld.links.find((l) => !('id' in l)) as { sessionId: string };
      hidden.sessionId = 's1';
      expect(verifyBundle(withheld).problem?.message).toMatch(/withholds/);

      const relabelled = structuredClone(bundle);
      (relabelled.links.find((l) => !('id' in l)) as { sessionId: string }).sessionId = 's9';
      expect(verifyBundle(relabelled).problem?.message).toMatch(/do not lead to it/);

      const dropped = structuredClone(bundle);
      dropped.links.splice(2, 1);
      expect(verifyBundle(dropped).ok).toBe(false);

      const other = createPublicKey(generateKeyPairSync('ed25519').privateKey);
      expect(verifyBundle(bundle, other).problem?.message).toMatch(/not the pinned key/);
      expect(verifyBundle({ format: 'nope' }).ok).toBe(false);
    });
  });
}

async function insertRow(place: Place, e: AuditEntry): Promise<void> {
  await place.sql(
    'INSERT INTO audit_entries (seq, id, at, session_id, actor, kind, payload, policy_version, body_hash, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
    [
      e.seq,
      e.id,
      e.at,
      e.sessionId,
      e.actor,
      e.kind,
      canonicalJson(e.payload),
      e.policyVersion,
      e.bodyHash,
      e.prevHash,
      e.hash,
    ],
  );
}

/** What an attacker does to insert a second row with an existing seq: remove the key on seq. */
async function dropSeqKey(place: Place, backend: 'sqlite' | 'postgres'): Promise<void> {
  if (backend === 'postgres') {
    await place.sql('ALTER TABLE audit_entries DROP CONSTRAINT audit_entries_pkey');
    return;
  }
  await place.sql('ALTER TABLE audit_entries RENAME TO audit_entries_old');
  await place.sql(
    'CREATE TABLE audit_entries (seq INTEGER, id TEXT, at INTEGER, session_id TEXT, actor TEXT, kind TEXT, payload TEXT, policy_version TEXT, body_hash TEXT, prev_hash TEXT, hash TEXT)',
  );
  await place.sql('INSERT INTO audit_entries SELECT * FROM audit_entries_old');
  await place.sql('DROP TABLE audit_entries_old');
}
