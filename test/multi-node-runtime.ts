/**
 * A Guardline runtime in a child process, started through the real entry point
 * (`node --import tsx src/server/main.ts`), for the multi-node and crash tests, on a free loopback
 * port. Resolves once its `/readyz` answers 200.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './server-harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface RuntimeChild {
  url: string;
  child: ChildProcess;
  /** The child's stderr so far (for failure messages). */
  stderr(): string;
  /** SIGKILL: no shutdown, no flush. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown). Resolves once the process is gone. */
  stop(): Promise<void>;
}

/**
 * `entry`: the server entry to run, `src/server/main.ts` through tsx by default, or an ESM bundle of
 * it (`.mjs`, see `bundleServerEntry`) that starts faster.
 */
export async function startRuntime(
  env: Record<string, string>,
  options: { timeoutMs?: number; entry?: string } = {},
): Promise<RuntimeChild> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const entry = options.entry ?? path.join(ROOT, 'src/server/main.ts');
  const args = entry.endsWith('.mjs') ? [entry] : ['--import', 'tsx', entry];
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`runtime exited before ready (${child.exitCode ?? child.signalCode}): ${stderr}`);
    }
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, child, stderr: () => stderr, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  await end('SIGKILL');
  throw new Error(`runtime did not become ready in ${timeoutMs} ms: ${stderr}`);
}

/**
 * Bundles `src/server/main.ts` (the real entry, node_modules left external) with esbuild — the
 * compiler tsx runs per file — into `<repo>/data/<name>/main.mjs`. Two levels below the repo root,
 * like `src/<module>/`, so the entry's `../../policies/…` default paths still resolve; the console
 * (`GUARDLINE_CONSOLE=off`) and the policy file (`GUARDLINE_POLICY_FILE`) must be set explicitly.
 */
export async function bundleServerEntry(name: string): Promise<{ entry: string; remove(): void }> {
  const { build } = await import('esbuild');
  const dir = path.join(ROOT, 'data', name);
  const entry = path.join(dir, 'main.mjs');
  await build({
    entryPoints: [path.join(ROOT, 'src/server/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    target: 'node20',
    outfile: entry,
    logLevel: 'warning',
  });
  return { entry, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
