import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import type { SignedHead } from '../store/types.ts';

export const CHECKPOINT_FORMAT = 'guardline-audit-checkpoint/1';

export const SignedHeadSchema = z.object({
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  keyId: z.string().min(1).max(64),
  signature: z.string().min(1).max(200),
  signedAt: z.number().int(),
});

export const CheckpointFile = SignedHeadSchema.extend({
  format: z.literal(CHECKPOINT_FORMAT),
  publicKey: z.string().optional(),
});
export type CheckpointFile = z.infer<typeof CheckpointFile>;

export function checkpointOf(head: SignedHead, publicKeyPem: string): CheckpointFile {
  return { format: CHECKPOINT_FORMAT, ...head, publicKey: publicKeyPem };
}

/** Reads and validates a checkpoint file written by `guardline audit checkpoint`. */
export function readCheckpoint(file: string): SignedHead {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GuardlineError('GL_AUDIT_FILE_INVALID', `${file}: ${(e as Error).message}`);
  }
  const parsed = CheckpointFile.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new GuardlineError('GL_AUDIT_FILE_INVALID', `${file}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const { seq, hash, keyId, signature, signedAt } = parsed.data;
  return { seq, hash, keyId, signature, signedAt };
}
