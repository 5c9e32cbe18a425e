import { existsSync } from 'node:fs';
import { type AuditSigner, loadAuditSigner } from '../audit/keys.ts';
import { GuardlineError } from '../errors/index.ts';
import type { StoreConfig } from './config.ts';
import { approvalChannel, postgresStoreBus } from './pg-bus.ts';
import { openPostgres } from './postgres.ts';
import { createSqlStore, localStoreBus } from './sql-store.ts';
import { openSqlite } from './sqlite.ts';
import type { Store } from './types.ts';

export interface OpenOptions {
  /** Told once when the embedded default generates its audit key; default: printed to stderr. */
  onKeyGenerated?: (publicKeyPem: string, file: string) => void;
  maxBatch?: number;
  /**
   * Open an existing store only to read it (the `guardline audit` commands): no key is loaded or
   * generated, a missing SQLite file is an error, and any write that needs a signature fails.
   */
  readOnly?: boolean;
}

const readOnlySigner: AuditSigner = {
  publicKeyPem: '',
  keyId: '',
  signHead() {
    throw new GuardlineError('GL_AUDIT_KEY_MISSING', 'This store was opened read-only.');
  },
};

function printGeneratedKey(publicKeyPem: string, file: string): void {
  process.stderr.write(
    `guardline: generated the audit signing key ${file}\n` +
      'guardline: its public key (publish it; auditors verify the chain with it):\n' +
      publicKeyPem,
  );
}

/** Opens (and migrates) the store the config names. */
export async function openStore(config: StoreConfig, options: OpenOptions = {}): Promise<Store> {
  const onGenerated = options.onKeyGenerated ?? printGeneratedKey;
  if (config.kind === 'sqlite') {
    if (options.readOnly && !existsSync(config.file)) {
      throw new GuardlineError('GL_STORE_UNREACHABLE', `There is no database at ${config.file}.`);
    }
    const signer = options.readOnly
      ? readOnlySigner
      : loadAuditSigner({ keyText: config.auditKey, dataDir: config.dataDir, onGenerated });
    const db = await openSqlite(config.file);
    try {
      return await createSqlStore({
        db,
        signer,
        bus: localStoreBus(config.file),
        ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}),
      });
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  // Every node sharing a database must sign with the same key: no generated default here.
  const signer = options.readOnly ? readOnlySigner : loadAuditSigner({ keyText: config.auditKey });
  const db = await openPostgres({ url: config.url, ...(config.schema ? { schema: config.schema } : {}) });
  try {
    const bus = postgresStoreBus(db.clientConfig, approvalChannel(config.schema));
    return await createSqlStore({ db, signer, bus, ...(options.maxBatch ? { maxBatch: options.maxBatch } : {}) });
  } catch (e) {
    await db.close();
    throw e;
  }
}
