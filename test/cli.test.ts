/** The `guardline` command itself: --version, help, unknown commands, and `policy check`. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../src/cli/bin.mjs', import.meta.url).pathname;
const run = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('guardline', () => {
  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('lists every command in its help, and refuses an unknown one with exit 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const command of [
      'policy check <file>',
      'audit verify',
      'replay <recordings…>',
      'token ',
      'analyze --speaker',
    ]) {
      expect(help.stdout).toContain(command);
    }
    const unknown = await run(['teleport']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'teleport'");
  });

  it('policy check: exit 0 and the version for a valid file; exit 1 with every error by path and line', async () => {
    const ok = await run(['policy', 'check', 'policies/default.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/policies\/default\.yaml: valid, version default@[0-9a-f]{12}/);

    const dir = mkdtempSync(path.join(tmpdir(), 'guardline-cli-'));
    const file = path.join(dir, 'bad.yaml');
    const text = readFileSync('policies/default.yaml', 'utf8')
      .replace('max_call_seconds: 1800', 'max_call_seconds: -5')
      .replace('action: leave_message', 'action: shout')
      .replace(/ {6}auto_max_percent: 10\b/, '      auto_max_percent: 40');
    writeFileSync(file, text);
    const bad = await run(['policy', 'check', file]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('GL_POLICY_INVALID: 4 errors'); // -5 s also makes the wrap-up warning longer than the call
    expect(bad.stderr).toContain(
      'timeouts.wrap_up_warning_seconds: wrap_up_warning_seconds must be shorter than max_call_seconds',
    );
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(bad.stderr).toContain(`${file}:${lineOf('max_call_seconds: -5')}: timeouts.max_call_seconds:`);
    expect(bad.stderr).toContain(`${file}:${lineOf('action: shout')}: voicemail.action:`);
    expect(bad.stderr).toContain(
      'roles.closing.concessions.auto_max_percent: auto_max_percent must not exceed approval_max_percent',
    );

    expect((await run(['policy', 'check', path.join(dir, 'missing.yaml')])).code).toBe(1);
  });
});
