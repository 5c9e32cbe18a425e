import { type ParseArgsConfig, parseArgs as parseNodeArgs } from 'node:util';

export type ArgOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * The command was called wrongly. Throw it from anywhere in a command: the runner (`main.ts`)
 * prints `guardline <command>: <message>`, the command's usage (and `help`), and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Every command's argument parser: node:util `parseArgs`, strict (an unknown flag or a flag
 * without its value is a UsageError). Positionals are refused unless `allowPositionals` is true.
 */
export function parseArgs<T extends ArgOptions, P extends boolean = false>(
  args: string[],
  options: T,
  allowPositionals?: P,
) {
  try {
    return parseNodeArgs({ args, options, strict: true, allowPositionals: (allowPositionals ?? false) as P });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
