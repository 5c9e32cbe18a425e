import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GuardlineError } from '../errors/index.ts';
import type { SignedHead } from '../store/types.ts';
import { headMessage } from './hash.ts';

/** The Ed25519 key that signs the chain head. */
export interface AuditSigner {
  readonly publicKeyPem: string;
  readonly keyId: string;
  signHead(seq: number, hash: string, at: number): SignedHead;
}

export const AUDIT_KEY_FILE = 'audit-key.pem';
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** First 16 hex of sha256 over the public key's SPKI DER. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Accepts PEM text, base64 of a PEM, base64 of PKCS#8 DER, or base64 of the raw 32-byte seed. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    let key: KeyObject;
    if (trimmed.includes('-----BEGIN')) key = createPrivateKey(trimmed);
    else {
      const bytes = Buffer.from(trimmed, 'base64');
      const decoded = bytes.toString('utf8');
      if (decoded.includes('-----BEGIN')) key = createPrivateKey(decoded);
      else if (bytes.length === 32) {
        key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, bytes]), format: 'der', type: 'pkcs8' });
      } else key = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type is ${key.asymmetricKeyType}, not ed25519`);
    return key;
  } catch (e) {
    throw new GuardlineError('GL_AUDIT_KEY_INVALID', (e as Error).message);
  }
}

export function parsePublicKey(text: string): KeyObject {
  try {
    const trimmed = text.trim();
    const key = trimmed.includes('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type is ${key.asymmetricKeyType}, not ed25519`);
    return key;
  } catch (e) {
    throw new GuardlineError('GL_AUDIT_KEY_INVALID', (e as Error).message);
  }
}

export function signerFromPrivateKey(privateKey: KeyObject): AuditSigner {
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId,
    signHead(seq, hash, at) {
      const signature = sign(null, headMessage(seq, hash), privateKey).toString('base64');
      return { seq, hash, keyId, signature, signedAt: at };
    },
  };
}

export function verifyHeadSignature(head: SignedHead, publicKey: KeyObject): boolean {
  try {
    return verify(null, headMessage(head.seq, head.hash), publicKey, Buffer.from(head.signature, 'base64'));
  } catch {
    return false;
  }
}

export interface LoadKeyOptions {
  /** `GUARDLINE_AUDIT_KEY`, if set. */
  keyText?: string | undefined;
  /** Where the embedded default keeps its generated key; undefined = generating is not allowed. */
  dataDir?: string | undefined;
  /** Told once, when a key is generated (the public key to publish). */
  onGenerated?: (publicKeyPem: string, file: string) => void;
}

/**
 * The audit signing key: `GUARDLINE_AUDIT_KEY` if set; otherwise (embedded default only) the key
 * in `<dataDir>/audit-key.pem`, generated on first run.
 */
export function loadAuditSigner(options: LoadKeyOptions): AuditSigner {
  if (options.keyText?.trim()) return signerFromPrivateKey(parsePrivateKey(options.keyText));
  if (!options.dataDir) {
    throw new GuardlineError('GL_AUDIT_KEY_MISSING', 'GUARDLINE_AUDIT_KEY is not set.');
  }
  const file = path.join(options.dataDir, AUDIT_KEY_FILE);
  if (existsSync(file)) return signerFromPrivateKey(parsePrivateKey(readFileSync(file, 'utf8')));
  mkdirSync(options.dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    // Another process generated it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      return signerFromPrivateKey(parsePrivateKey(readFileSync(file, 'utf8')));
    }
    throw e;
  }
  const signer = signerFromPrivateKey(privateKey);
  options.onGenerated?.(signer.publicKeyPem, file);
  return signer;
}

/** The public key to verify with, from a private key (env / file) or a public key file. */
export function publicKeyFromText(text: string): KeyObject {
  return text.includes('PRIVATE KEY') || !text.includes('-----BEGIN')
    ? tryPrivateThenPublic(text)
    : parsePublicKey(text);
}

function tryPrivateThenPublic(text: string): KeyObject {
  try {
    return createPublicKey(parsePrivateKey(text));
  } catch {
    return parsePublicKey(text);
  }
}
