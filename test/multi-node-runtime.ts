/**
 * A Guardline runtime in a child process, started through the real entry point
 * (`node --import tsx src/server/main.ts`), for the multi-node and crash tests. Resolves once the
 * child logs `guardline ready` with its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

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

export function startRuntime(env: Record<string, string>, timeoutMs = 20_000): Promise<RuntimeChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
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
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runtime did not start in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited before ready (${code ?? signal}): ${stderr}`));
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let entry: { msg?: string; url?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg === 'guardline ready' && entry.url) {
        clearTimeout(timer);
        resolve({
          url: entry.url,
          child,
          stderr: () => stderr,
          kill: () => end('SIGKILL'),
          stop: () => end('SIGTERM'),
        });
      }
    });
  });
}
