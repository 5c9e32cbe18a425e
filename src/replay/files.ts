import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { GuardlineError } from '../errors/index.ts';
import { parseRecording, type Recording } from './recording.ts';

/** Recording files named on the command line; a directory stands for its `*.jsonl` files. */
export function recordingFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(arg);
    } catch {
      throw new GuardlineError('GL_RECORDING_INVALID', `${arg}: no such file or directory.`);
    }
    if (stat.isDirectory()) {
      for (const f of readdirSync(arg).sort()) if (f.endsWith('.jsonl')) out.push(path.join(arg, f));
    } else out.push(arg);
  }
  return out;
}

export function readRecording(file: string): Recording {
  return parseRecording(readFileSync(file, 'utf8'), file);
}
