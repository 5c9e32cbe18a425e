import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isGuardlineError } from '../../errors/index.ts';
import { openStore } from '../../store/index.ts';
import type { Store } from '../../store/types.ts';
import { type CommandIO, err } from '../command.ts';
import { STORE_OPTIONS, storeConfigFrom } from './audit-args.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export class PolicyUsageError extends Error {}

/** Parses flags (the store flags included) and positionals; a bad flag is a usage error. */
export function parseCommand<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options: { ...STORE_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new PolicyUsageError((e as Error).message);
  }
}

/** Who runs the command, as the audit log names them: `--author`, else $GUARDLINE_USER or $USER. */
export function actorFrom(flags: Record<string, unknown>, io: CommandIO): string {
  const who = typeof flags.author === 'string' ? flags.author : (io.env.GUARDLINE_USER ?? io.env.USER ?? 'operator');
  return who.includes(':') ? who : `human:${who}`;
}

/**
 * Runs `body` with the store the flags or environment name (the runtime's store: a running
 * runtime picks up what the command changes within a second). Maps errors to exit codes.
 */
export async function withStore(
  io: CommandIO,
  usage: string,
  flags: Record<string, unknown>,
  body: (store: Store) => Promise<number>,
): Promise<number> {
  let store: Store | null = null;
  try {
    store = await openStore(storeConfigFrom(flags as Parameters<typeof storeConfigFrom>[0], io), {
      onKeyGenerated: () => {},
    });
    return await body(store);
  } catch (e) {
    if (e instanceof PolicyUsageError) {
      err(io, `${e.message}\n${usage}`);
      return 2;
    }
    if (isGuardlineError(e)) {
      err(io, `${e.code}: ${e.message}\n  what to do: ${e.action}`);
      return 1;
    }
    throw e;
  } finally {
    await store?.close();
  }
}

/** For commands that validate arguments before opening the store. */
export function usageFailure(io: CommandIO, e: unknown, usage: string): number {
  if (e instanceof PolicyUsageError) {
    err(io, `${e.message}\n${usage}`);
    return 2;
  }
  throw e;
}
