import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_KEY_FILE } from '../src/audit/keys.ts';
import { storeConfigFromEnv } from '../src/store/config.ts';
import { openStore } from '../src/store/open.ts';
import { TEST_AUDIT_KEY } from './store-backends.ts';

describe('opening a store', () => {
  it('picks PostgreSQL from DATABASE_URL, else SQLite under GUARDLINE_DATA_DIR (default ./data)', () => {
    expect(storeConfigFromEnv({ DATABASE_URL: 'postgres://u@h:5432/db' })).toMatchObject({
      kind: 'postgres',
      url: 'postgres://u@h:5432/db',
    });
    expect(storeConfigFromEnv({})).toMatchObject({ kind: 'sqlite', file: path.resolve('data/guardline.db') });
    expect(storeConfigFromEnv({ GUARDLINE_DATA_DIR: '/var/gl' })).toMatchObject({
      file: '/var/gl/guardline.db',
      dataDir: '/var/gl',
    });
    expect(() => storeConfigFromEnv({ DATABASE_URL: 'mysql://x' })).toThrow(
      expect.objectContaining({ code: 'GL_CONFIG_INVALID' }),
    );
  });

  it('fails with a clear code when PostgreSQL is unreachable or has no shared audit key', async () => {
    await expect(
      openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none', auditKey: TEST_AUDIT_KEY }),
    ).rejects.toMatchObject({
      code: 'GL_STORE_UNREACHABLE',
    });
    await expect(openStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' })).rejects.toMatchObject({
      code: 'GL_AUDIT_KEY_MISSING',
    });
  });

  it('generates the embedded default key once, tells its public key, and rejects a bad configured key', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-open-'));
    try {
      const told: string[] = [];
      const config = { kind: 'sqlite' as const, file: path.join(dir, 'guardline.db'), dataDir: dir };
      const first = await openStore(config, { onKeyGenerated: (pem) => told.push(pem) });
      await first.close();
      const second = await openStore(config, { onKeyGenerated: (pem) => told.push(pem) });
      expect(told).toEqual([second.auditPublicKeyPem]);
      expect(readFileSync(path.join(dir, AUDIT_KEY_FILE), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
      await second.close();
      await expect(openStore({ ...config, auditKey: 'not a key' })).rejects.toMatchObject({
        code: 'GL_AUDIT_KEY_INVALID',
      });
      await expect(openStore({ ...config, file: path.join(dir, 'x.db') }, { readOnly: true })).rejects.toMatchObject({
        code: 'GL_STORE_UNREACHABLE',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
