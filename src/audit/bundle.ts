import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import type { AuditEntry, AuditStore, Json } from '../store/types.ts';
import { SignedHeadSchema } from './checkpoint.ts';
import { bodyHashOf, linkHashOf } from './hash.ts';
import { keyIdOf, parsePublicKey, verifyHeadSignature } from './keys.ts';

export const BUNDLE_FORMAT = 'guardline-audit-bundle/1';

const Hex = z.string().regex(/^[0-9a-f]{64}$/);
const JsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);

/** An entry of the exported session, in full. */
const FullLink = z.object({
  seq: z.number().int().positive(),
  id: z.string(),
  at: z.number().int(),
  sessionId: z.string(),
  actor: z.string(),
  kind: z.string(),
  payload: JsonValue,
  policyVersion: z.string().nullable(),
  prevHash: Hex,
  hash: Hex,
});
/** Another session's entry between them: only what its link hash needs. */
const HiddenLink = z.object({
  seq: z.number().int().positive(),
  sessionId: z.string().nullable(),
  bodyHash: Hex,
});

export const Bundle = z.object({
  format: z.literal(BUNDLE_FORMAT),
  sessionId: z.string(),
  exportedAt: z.number().int(),
  publicKey: z.string(),
  startPrevHash: Hex,
  links: z.array(z.union([FullLink, HiddenLink])).min(1),
  head: SignedHeadSchema,
});
export type Bundle = z.infer<typeof Bundle>;

/**
 * A self-contained bundle for one session: its entries in full, every other entry between its
 * first entry and the first signed head after its last one as (seq, sessionId, bodyHash), and
 * that signed head. See docs/readme/store.md for exactly what it proves.
 */
export async function exportBundle(
  audit: Pick<AuditStore, 'listBySession' | 'signatureAtOrAfter' | 'range'>,
  sessionId: string,
  publicKeyPem: string,
  now: number = Date.now(),
): Promise<Bundle> {
  const own = await audit.listBySession(sessionId);
  const first = own[0];
  const last = own[own.length - 1];
  if (!first || !last) throw new GuardlineError('GL_STORE_NOT_FOUND', `No audit entries for session ${sessionId}.`);
  const head = await audit.signatureAtOrAfter(last.seq);
  if (!head)
    throw new GuardlineError('GL_STORE_NOT_FOUND', `No signed head covers seq ${last.seq}; the chain is damaged.`);
  const entries = await audit.range(first.seq, head.seq);
  const links = entries.map((e: AuditEntry) =>
    e.sessionId === sessionId
      ? {
          seq: e.seq,
          id: e.id,
          at: e.at,
          sessionId,
          actor: e.actor,
          kind: e.kind,
          payload: e.payload,
          policyVersion: e.policyVersion,
          prevHash: e.prevHash,
          hash: e.hash,
        }
      : { seq: e.seq, sessionId: e.sessionId, bodyHash: e.bodyHash },
  );
  return {
    format: BUNDLE_FORMAT,
    sessionId,
    exportedAt: now,
    publicKey: publicKeyPem,
    startPrevHash: first.prevHash,
    links,
    head,
  };
}

export interface BundleReport {
  ok: boolean;
  sessionId: string | null;
  entries: number;
  headSeq: number | null;
  keyId: string | null;
  problem?: { seq: number | null; message: string };
}

/** Checks a bundle offline. `pinnedKey`: the operator's published key, if the auditor has it. */
export function verifyBundle(value: unknown, pinnedKey?: KeyObject): BundleReport {
  const parsed = Bundle.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(null, 0, null, null, null, `not a valid bundle: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const bundle = parsed.data;
  const bundleKey = parsePublicKey(bundle.publicKey);
  const key = pinnedKey ?? bundleKey;
  const keyId = keyIdOf(key);
  if (pinnedKey && keyIdOf(bundleKey) !== keyId) {
    return fail(
      bundle.sessionId,
      0,
      bundle.head.seq,
      keyId,
      null,
      `the bundle carries key ${keyIdOf(bundleKey)}, not the pinned key ${keyId}`,
    );
  }
  let prevHash = bundle.startPrevHash;
  let expectedSeq = bundle.links[0]?.seq ?? 0;
  let entries = 0;
  /** The first break found, with how far the bundle checked out. */
  const broken = (seq: number | null, why: string) => fail(bundle.sessionId, entries, bundle.head.seq, keyId, seq, why);
  for (const link of bundle.links) {
    if (link.seq !== expectedSeq) return broken(link.seq, `seq ${expectedSeq} is missing (found ${link.seq})`);
    let hash: string;
    if ('id' in link) {
      const bodyHash = bodyHashOf({ ...link, kind: link.kind as AuditEntry['kind'] });
      if (link.sessionId !== bundle.sessionId)
        return broken(link.seq, `entry ${link.id} belongs to session ${link.sessionId}`);
      if (linkHashOf(link.prevHash, link.sessionId, bodyHash) !== link.hash)
        return broken(
          link.seq,
          `entry ${link.id} (seq ${link.seq}) was edited: it no longer hashes to its recorded hash`,
        );
      if (link.prevHash !== prevHash)
        return broken(
          link.seq,
          `the links before entry ${link.id} (seq ${link.seq}) were altered: they do not lead to it`,
        );
      hash = link.hash;
      entries++;
    } else {
      if (link.sessionId === bundle.sessionId)
        return broken(link.seq, `seq ${link.seq} is an entry of this session that the bundle withholds`);
      hash = linkHashOf(prevHash, link.sessionId, link.bodyHash);
    }
    prevHash = hash;
    expectedSeq++;
  }
  const lastSeq = expectedSeq - 1;
  if (lastSeq !== bundle.head.seq || prevHash !== bundle.head.hash) {
    return broken(
      lastSeq,
      `the entries do not lead to the signed head (seq ${bundle.head.seq}): something was edited, added or removed`,
    );
  }
  if (bundle.head.keyId !== keyId || !verifyHeadSignature(bundle.head, key)) {
    return broken(bundle.head.seq, 'the signed head does not verify with the key');
  }
  return { ok: true, sessionId: bundle.sessionId, entries, headSeq: bundle.head.seq, keyId };
}

function fail(
  sessionId: string | null,
  entries: number,
  headSeq: number | null,
  keyId: string | null,
  seq: number | null,
  message: string,
): BundleReport {
  return { ok: false, sessionId, entries, headSeq, keyId, problem: { seq, message } };
}
