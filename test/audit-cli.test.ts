import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/open.ts';
import { decision, meta } from './store-fixtures.ts';

const BIN = path.resolve(import.meta.dirname, '../src/cli/bin.mjs');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const { GUARDLINE_AUDIT_KEY: _k, DATABASE_URL: _d, ...base } = process.env;
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('guardline audit (CLI, embedded SQLite default)', () => {
  let dir: string;
  let db: string;
  let generated = '';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'guardline-cli-'));
    db = path.join(dir, 'guardline.db');
    const store = await openStore(
      { kind: 'sqlite', file: db, dataDir: dir },
      { onKeyGenerated: (pem) => (generated = pem) },
    );
    await store.sessions.create(meta('s1'), 'policy-1', 1);
    await store.sessions.create(meta('s2'), 'policy-1', 2);
    for (let i = 0; i < 6; i++)
      await store.record({ actor: 'agent:a', decision: decision(`d${i}`, i % 2 ? 's1' : 's2') });
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generated the audit key on first run and verifies with it from beside the database', async () => {
    expect(generated).toMatch(/BEGIN PUBLIC KEY/);
    const r = await cli(['audit', 'verify', '--db', db]);
    expect(r.stdout).toMatch(/^intact: 8 entries \(seq 1\.\.8\), 8 signed heads verified/);
    expect(r.code).toBe(0);
  });

  it('checkpoint, export and offline bundle verification', async () => {
    const cp = path.join(dir, 'checkpoint.json');
    expect((await cli(['audit', 'checkpoint', '--db', db, '--out', cp])).code).toBe(0);
    expect(JSON.parse(readFileSync(cp, 'utf8'))).toMatchObject({ format: 'guardline-audit-checkpoint/1', seq: 8 });
    expect((await cli(['audit', 'verify', '--db', db, '--checkpoint', cp])).code).toBe(0);

    const bundle = path.join(dir, 'bundle.json');
    expect((await cli(['audit', 'export', '--db', db, '--session', 's1', '--out', bundle])).code).toBe(0);
    const ok = await cli(['audit', 'verify', '--bundle', bundle, '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, sessionId: 's1', entries: 4 });
    expect(ok.code).toBe(0);
    const tampered = readFileSync(bundle, 'utf8').replace('"outcome": "allow"', '"outcome": "deny"');
    writeFileSync(bundle, tampered);
    const bad = await cli(['audit', 'verify', '--bundle', bundle]);
    expect(bad.stdout).toMatch(/^BROKEN: seq \d+: entry decision:d\d \(seq \d+\) was edited/);
    expect(bad.code).toBe(1);
  });

  it('names a tampered entry and exits 1; usage errors exit 2', async () => {
    const raw = new Database(db);
    raw.prepare("UPDATE audit_entries SET actor = 'human:mallory' WHERE seq = 4").run();
    raw.close();
    const r = await cli(['audit', 'verify', '--db', db]);
    expect(r.stdout).toMatch(/^BROKEN \(edited\) at seq 4 \(entry decision:d\d\): /);
    expect(r.code).toBe(1);
    expect((await cli(['audit', 'verify', '--db', db, '--bogus'])).code).toBe(2);
    const missing = await cli(['audit', 'verify', '--db', path.join(dir, 'nope.db')]);
    expect(missing.stderr).toMatch(/GL_AUDIT_KEY_MISSING|GL_STORE_UNREACHABLE/);
    expect(missing.code).toBe(1);
  });
});
