import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionExport } from '../src/cli/commands/session/export.ts';
import { replay } from '../src/cli/commands/session/replay.ts';
import { main } from '../src/cli/main.ts';
import { runDemo } from '../src/demo/run.ts';
import { DEFAULT_POLICY_PATH } from '../src/policy/index.ts';
import { parseRecording } from '../src/replay/index.ts';
import { sqliteConfig } from '../src/store/config.ts';
import { openStore } from '../src/store/index.ts';

let dir: string;
let ids: string[];

function io(env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const buf = { out: '', err: '' };
  stdout.on('data', (c) => {
    buf.out += c;
  });
  stderr.on('data', (c) => {
    buf.err += c;
  });
  return { io: { stdout, stderr, stdin: new PassThrough(), env }, buf };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'guardline-replay-cli-'));
  await runDemo({ env: { GUARDLINE_DATA_DIR: dir }, write: () => {}, speedup: 1000, maxPauseMs: 2 });
  const store = await openStore(sqliteConfig(path.join(dir, 'guardline.db')), { readOnly: true });
  ids = (await store.sessions.list({ limit: 50 })).map((s) => s.id);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('guardline session export + replay', () => {
  it('exports each live-recorded session, and replay on its version reproduces every decision (law 6)', async () => {
    const files: string[] = [];
    for (const id of ids) {
      const file = path.join(dir, `${id}.jsonl`);
      const run = io({ GUARDLINE_DATA_DIR: dir });
      expect(await sessionExport.run([id, '--out', file], run.io), run.buf.err).toBe(0);
      expect(parseRecording(readFileSync(file, 'utf8')).header.meta.sessionId).toBe(id);
      files.push(file);
    }
    const run = io();
    expect(await replay.run([...files, '--json'], run.io), run.buf.err).toBe(0);
    const last = JSON.parse(run.buf.out.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({ sessions: 5, decisions: 13, changed: 0, sameVersion: true, reproducedExactly: true });
    const human = io();
    expect(await replay.run(files, human.io)).toBe(0);
    expect(human.buf.out).toContain('all 13 recorded decisions reproduced exactly (law 6)');
  });

  it('against a tighter candidate file it reports flips and blocked concession amounts', async () => {
    const tight = path.join(dir, 'tight.yaml');
    writeFileSync(
      tight,
      readFileSync(DEFAULT_POLICY_PATH, 'utf8')
        .replace(/auto_max_percent: 10 #.*/, 'auto_max_percent: 2')
        .replace(/approval_max_percent: 25 #.*/, 'approval_max_percent: 15'),
    );
    const run = io();
    expect(await replay.run([path.join(dir), '--policy', tight, '--json'], run.io)).toBe(0);
    const last = JSON.parse(run.buf.out.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({
      sessions: 5,
      decisions: 13,
      sameVersion: false,
      blockedConcessions: 2,
      blockedPercent: 25,
    });
    expect(last.flipsByKind['allow→needs_approval']).toBe(1);
  });

  it('unknown session and bad usage are clear errors', async () => {
    const missing = io({ GUARDLINE_DATA_DIR: dir });
    expect(await main(['session', 'export', 'nope'], missing.io)).toBe(1);
    expect(missing.buf.err).toContain('GL_STORE_NOT_FOUND');
    const usage = io();
    expect(await main(['replay'], usage.io)).toBe(2);
  });
});
