import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_KEY_FILE, publicKeyFromText } from '../../../audit/keys.ts';
import { GuardlineError } from '../../../errors/index.ts';
import type { StoreConfig } from '../../../store/config.ts';
import type { CommandIO } from '../../command.ts';

/**
 * The key that verifies signatures: `--public-key FILE`, else GUARDLINE_AUDIT_KEY, else the
 * embedded default's key file beside the SQLite database.
 */
export function verifyingKey(flags: { 'public-key'?: string }, io: CommandIO, config: StoreConfig | null) {
  if (flags['public-key']) return publicKeyFromText(readText(flags['public-key']));
  if (io.env.GUARDLINE_AUDIT_KEY?.trim()) return publicKeyFromText(io.env.GUARDLINE_AUDIT_KEY);
  if (config?.kind === 'sqlite') {
    const file = path.join(config.dataDir, AUDIT_KEY_FILE);
    if (existsSync(file)) return publicKeyFromText(readFileSync(file, 'utf8'));
  }
  throw new GuardlineError('GL_AUDIT_KEY_MISSING', 'Give the public key with --public-key FILE.');
}

/** The verifying key as PEM, the form checkpoints and bundles carry. */
export function verifyingKeyPem(flags: { 'public-key'?: string }, io: CommandIO, config: StoreConfig | null): string {
  return verifyingKey(flags, io, config).export({ type: 'spki', format: 'pem' }).toString();
}

export function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new GuardlineError('GL_AUDIT_FILE_INVALID', `${file}: ${(e as Error).message}`);
  }
}
