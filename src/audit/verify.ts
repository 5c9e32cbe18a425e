import type { KeyObject } from 'node:crypto';
import type { AuditEntry, AuditStore, SignedHead } from '../store/types.ts';
import { bodyHashOf, GENESIS_HASH, linkHashOf } from './hash.ts';
import { keyIdOf, verifyHeadSignature } from './keys.ts';

export type BreakKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'truncated' | 'signature';

/** The first broken link: what happened, where (seq and entry id), in words. */
export interface ChainBreak {
  kind: BreakKind;
  seq: number;
  id: string | null;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  /** Entries checked. */
  checked: number;
  fromSeq: number;
  lastSeq: number;
  /** Signed heads checked. */
  signedHeads: number;
  head: SignedHead | null;
  problem?: ChainBreak;
}

export interface VerifyOptions {
  publicKey: KeyObject;
  /** Start at this entry (id, or seq as a number); its prevHash is trusted. */
  from?: string | number;
  /** A head kept elsewhere (`guardline audit checkpoint`): the chain must still extend it. */
  checkpoint?: SignedHead;
  pageSize?: number;
}

type Source = Pick<
  AuditStore,
  'range' | 'signatures' | 'findByHash' | 'findByPrevHash' | 'findById' | 'head' | 'maxSeq'
>;

const describe = (e: AuditEntry) => `entry ${e.id} (seq ${e.seq})`;

/**
 * Walks the chain in seq order: recomputes every entry's hashes, checks every link and every
 * signed head, and names the first broken link precisely.
 */
export async function verifyChain(source: Source, options: VerifyOptions): Promise<VerifyReport> {
  const keyId = keyIdOf(options.publicKey);
  const head = await source.head();
  const maxSeq = await source.maxSeq();
  let prev: { seq: number; hash: string; entry: AuditEntry | null } = { seq: 0, hash: GENESIS_HASH, entry: null };
  let prevPrevHash: string | null = null;
  if (options.from !== undefined) {
    const start =
      typeof options.from === 'number'
        ? (await source.range(options.from, options.from))[0]
        : await source.findById(options.from);
    if (!start) {
      return report(0, 0, 0, 0, head, {
        kind: 'deleted',
        seq: 0,
        id: String(options.from),
        message: `no entry ${options.from} to start from`,
      });
    }
    prev = { seq: start.seq - 1, hash: start.prevHash, entry: null };
  }
  const fromSeq = prev.seq + 1;
  const cp = options.checkpoint;
  if (cp && !signatureProblem(cp, options.publicKey, keyId)) {
    // checked below, as soon as the walk reaches cp.seq
  } else if (cp) {
    return report(0, fromSeq, 0, 0, head, {
      kind: 'signature',
      seq: cp.seq,
      id: null,
      message: `the checkpoint's signature is not valid: ${signatureProblem(cp, options.publicKey, keyId)}`,
    });
  }
  let checked = 0;
  let signedHeads = 0;
  let lastGoodHead = prev.seq;
  // A signed head that does not match is reported unless a structural break (which names the
  // cause more precisely: an insertion shifts every later head) shows up before the next good head.
  let pendingSignature: ChainBreak | null = null;
  const pageSize = options.pageSize ?? 5000;
  const end = Math.max(maxSeq, head?.seq ?? 0);
  const stop = (problem: ChainBreak) => report(checked, fromSeq, prev.seq, signedHeads, head, problem);
  for (let from = fromSeq; from <= end; from += pageSize) {
    const to = Math.min(end, from + pageSize - 1);
    const rows = await source.range(from, to);
    const sigs = new Map((await source.signatures(from, to)).map((s) => [s.seq, s]));
    for (const [i, row] of rows.entries()) {
      const twins = rows.filter((r, j) => j !== i && r.seq === row.seq);
      const problem =
        (twins.length > 0 ? duplicateProblem(row, twins, prev) : null) ??
        (await entryProblem(source, row, prev, prevPrevHash)) ??
        seqProblem(row, prev);
      if (problem) return stop(problem);
      const sig = sigs.get(row.seq);
      if (sig && !pendingSignature) {
        const bad = signatureProblem(sig, options.publicKey, keyId);
        if (bad) {
          return stop({
            kind: 'signature',
            seq: row.seq,
            id: row.id,
            message: `the signed head at seq ${row.seq} is not valid: ${bad}`,
          });
        }
        if (sig.hash !== row.hash) {
          const first = (await source.range(lastGoodHead + 1, lastGoodHead + 1))[0];
          pendingSignature = {
            kind: 'edited',
            seq: lastGoodHead + 1,
            id: first?.id ?? null,
            message: `entries seq ${lastGoodHead + 1} to ${row.seq} were rewritten (hashes recomputed): the signed head at seq ${row.seq} names another hash`,
          };
        } else {
          signedHeads++;
          lastGoodHead = row.seq;
        }
      } else if (sig && pendingSignature && sig.hash === row.hash && !signatureProblem(sig, options.publicKey, keyId)) {
        return stop(pendingSignature);
      }
      if (cp && row.seq === cp.seq && row.hash !== cp.hash && !pendingSignature) {
        return stop({
          kind: 'edited',
          seq: row.seq,
          id: row.id,
          message: `the chain no longer extends the checkpoint: seq ${row.seq} has another hash than the checkpoint's`,
        });
      }
      checked++;
      prevPrevHash = prev.hash;
      prev = { seq: row.seq, hash: row.hash, entry: row };
    }
  }
  if (pendingSignature) return stop(pendingSignature);
  if (head && head.seq > prev.seq) {
    return report(checked, fromSeq, prev.seq, signedHeads, head, {
      kind: 'deleted',
      seq: prev.seq + 1,
      id: null,
      message: `entries seq ${prev.seq + 1} to ${head.seq} are missing: the signed head is at seq ${head.seq}, the chain ends at ${prev.seq}`,
    });
  }
  if (prev.seq > lastGoodHead && prev.seq >= fromSeq) {
    const first = (await source.range(lastGoodHead + 1, lastGoodHead + 1))[0];
    return report(checked, fromSeq, prev.seq, signedHeads, head, {
      kind: 'inserted',
      seq: lastGoodHead + 1,
      id: first?.id ?? null,
      message: `entries seq ${lastGoodHead + 1} to ${prev.seq} come after the last signed head (seq ${lastGoodHead}): appended by something other than Guardline`,
    });
  }
  if (cp && cp.seq > prev.seq) {
    return report(checked, fromSeq, prev.seq, signedHeads, head, {
      kind: 'truncated',
      seq: prev.seq + 1,
      id: null,
      message: `the chain ends at seq ${prev.seq} but the checkpoint is at seq ${cp.seq}: the newest entries were deleted together with their head`,
    });
  }
  return report(checked, fromSeq, prev.seq, signedHeads, head);
}

function report(
  checked: number,
  fromSeq: number,
  lastSeq: number,
  signedHeads: number,
  head: SignedHead | null,
  problem?: ChainBreak,
): VerifyReport {
  return { ok: !problem, checked, fromSeq, lastSeq, signedHeads, head, ...(problem ? { problem } : {}) };
}

function signatureProblem(sig: SignedHead, publicKey: KeyObject, keyId: string): string | null {
  if (sig.keyId !== keyId) return `signed by key ${sig.keyId}, not by the verifying key ${keyId}`;
  return verifyHeadSignature(sig, publicKey) ? null : 'the signature does not verify (forged or altered head)';
}

/** Several rows claim one seq: the genuine one hashes right and links to the entry before. */
function duplicateProblem(row: AuditEntry, twins: AuditEntry[], prev: { hash: string }): ChainBreak | null {
  const genuine = (e: AuditEntry) =>
    bodyHashOf(e) === e.bodyHash &&
    linkHashOf(e.prevHash, e.sessionId, e.bodyHash) === e.hash &&
    e.prevHash === prev.hash;
  if (genuine(row) && !twins.every(genuine)) return null;
  return {
    kind: 'inserted',
    seq: row.seq,
    id: row.id,
    message: `${describe(row)} was inserted: another entry holds seq ${row.seq}`,
  };
}

function seqProblem(row: AuditEntry, prev: { seq: number }): ChainBreak | null {
  if (row.seq === prev.seq + 1) return null;
  if (row.seq === prev.seq)
    return { kind: 'inserted', seq: row.seq, id: row.id, message: `${describe(row)} duplicates seq ${row.seq}` };
  return {
    kind: 'edited',
    seq: row.seq,
    id: row.id,
    message: `${describe(row)} is linked correctly but its seq was changed (expected ${prev.seq + 1})`,
  };
}

async function entryProblem(
  source: Source,
  row: AuditEntry,
  prev: { seq: number; hash: string; entry: AuditEntry | null },
  prevPrevHash: string | null,
): Promise<ChainBreak | null> {
  if (bodyHashOf(row) !== row.bodyHash) {
    return {
      kind: 'edited',
      seq: row.seq,
      id: row.id,
      message: `${describe(row)} was edited: its content no longer matches its hash`,
    };
  }
  if (linkHashOf(row.prevHash, row.sessionId, row.bodyHash) !== row.hash) {
    return {
      kind: 'edited',
      seq: row.seq,
      id: row.id,
      message: `${describe(row)} was edited: its session or hash fields were changed`,
    };
  }
  if (row.prevHash === prev.hash) return null;
  const after = (e: AuditEntry) => e.seq > row.seq || (e.seq === row.seq && e.id > row.id);
  const targets = (await source.findByHash(row.prevHash)).filter((e) => e.id !== row.id);
  const target = targets[0];
  if (target && after(target)) {
    return {
      kind: 'reordered',
      seq: row.seq,
      id: row.id,
      message: `${describe(row)} is out of order: it follows ${describe(target)}, which is stored after it`,
    };
  }
  if (prev.entry && prevPrevHash !== null && row.prevHash === prevPrevHash) {
    // Two entries claim the same predecessor: the one nothing links to is the extra one.
    const linksToPrev = (await source.findByPrevHash(prev.hash)).filter((e) => e.id !== row.id);
    const extra = linksToPrev.length > 0 ? row : prev.entry;
    return {
      kind: 'inserted',
      seq: extra.seq,
      id: extra.id,
      message: `${describe(extra)} was inserted: it is not part of the chain (its neighbours link past it)`,
    };
  }
  const successors = (await source.findByPrevHash(prev.hash)).filter((e) => e.id !== row.id && after(e));
  if (successors.length > 0) {
    return {
      kind: 'inserted',
      seq: row.seq,
      id: row.id,
      message: `${describe(row)} was inserted: the chain continues at ${describe(successors[0] as AuditEntry)}`,
    };
  }
  if (!target) {
    if (row.seq > prev.seq + 1) {
      const range = row.seq - 1 === prev.seq + 1 ? `seq ${prev.seq + 1}` : `seq ${prev.seq + 1} to ${row.seq - 1}`;
      return {
        kind: 'deleted',
        seq: prev.seq + 1,
        id: null,
        message: `${range} deleted: ${describe(row)} links to an entry that is gone`,
      };
    }
    const edited = prev.entry;
    if (edited) {
      return {
        kind: 'edited',
        seq: edited.seq,
        id: edited.id,
        message: `${describe(edited)} was edited and its hash recomputed: the next entry still links to its original hash`,
      };
    }
    return {
      kind: 'edited',
      seq: row.seq,
      id: row.id,
      message: `${describe(row)} does not link to the entry before it`,
    };
  }
  return {
    kind: 'reordered',
    seq: row.seq,
    id: row.id,
    message: `${describe(row)} is out of order: it follows ${describe(target)}, not the entry stored before it`,
  };
}
