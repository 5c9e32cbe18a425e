/** One `guardline` subcommand. `path` is the words that name it, e.g. `['policy', 'check']`. */
export interface Command {
  path: readonly string[];
  /** One line for `guardline --help`, after the usage. */
  usage: string;
  /** Longer usage text (other forms, option notes), shown after the usage line by --help and on a usage error. */
  help?: string;
  summary: string;
  /** Returns the process exit code. A `UsageError` thrown from here makes the runner print the usage and exit 2. */
  run(args: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export function out(io: CommandIO, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(io: CommandIO, text: string): void {
  io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}
