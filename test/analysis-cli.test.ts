/** `guardline analyze` as a user runs it: a real process, utterances on stdin, JSON lines out. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../src/cli/bin.mjs', import.meta.url));
const KEYS = [
  'text',
  'concessions',
  'commitments',
  'consent',
  'optOut',
  'asksIfAI',
  'deniesBeingAI',
  'pressure',
  'pii',
];

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('guardline analyze', () => {
  it('writes one JSON object per input line, with exactly the documented keys', async () => {
    const first = "I can give you 20% off and I'll waive the setup fee";
    const last = 'no im not a bot, email me at a@b.io';
    const at = (text: string, part: string) => [text.indexOf(part), text.indexOf(part) + part.length];
    const input = [first, 'i cant do thirty percent', '', last].join('\n');
    const { code, stdout, stderr } = await run(['analyze', '--speaker', 'agent'], `${input}\n`);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(Object.keys(line)).toEqual(KEYS);
    expect(lines[0]?.concessions).toEqual([
      { kind: 'percent_off', value: 20, unit: 'percent', span: at(first, '20% off') },
      { kind: 'waived_fee', value: null, unit: null, span: at(first, 'waive the setup fee') },
    ]);
    expect(lines[1]?.concessions).toEqual([]);
    expect(lines[2]?.text).toBe('');
    expect(lines[3]).toMatchObject({ deniesBeingAI: true, pii: [{ kind: 'email', span: at(last, 'a@b.io') }] });
  });

  it('reads customer speech with --speaker=customer', async () => {
    const { code, stdout } = await run(['analyze', '--speaker=customer'], 'STOP\nis this a robot\nyes thats fine\r\n');
    expect(code).toBe(0);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.optOut, l.asksIfAI, l.consent])).toEqual([
      [true, false, null],
      [false, true, null],
      [false, false, 'granted'],
    ]);
  });

  it('rejects a missing or unknown speaker with exit code 2 and the usage', async () => {
    for (const args of [['analyze'], ['analyze', '--speaker', 'robot'], ['analyze', '--speaker']]) {
      const { code, stderr, stdout } = await run(args, 'hello\n');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('usage: guardline analyze --speaker agent|customer');
    }
  });

  it('uses --phrases and reports an invalid phrase book with GL_PHRASES_INVALID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'analyze-cli-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nnegation: {}\n');
    const { code, stderr, stdout } = await run(['analyze', '--speaker', 'agent', '--phrases', bad], 'hi\n');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('GL_PHRASES_INVALID');
    expect(stderr).toContain('what to do');
  });
});
