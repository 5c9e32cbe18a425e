import { readFileSync } from 'node:fs';
import { describeError } from '../errors/index.ts';
import { UsageError } from './args.ts';
import { type Command, type CommandIO, err, out } from './command.ts';
import { COMMANDS } from './commands/index.ts';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usageOf(command: Command): string {
  return `usage: guardline ${command.usage}${command.help ? `\n${command.help}` : ''}`;
}

/** Each command's usage, then what it does on the next line, indented: readable at any width. */
function help(): string {
  return [
    'usage: guardline <command> [options]',
    '',
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '  --version',
    '      print the version',
    '',
    'guardline <command> --help shows one command.',
    '',
  ].join('\n');
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CommandIO = process): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    out(io, version());
    return 0;
  }
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(io, help());
    return argv.length === 0 ? 1 : 0;
  }
  const command = [...COMMANDS]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((word, i) => argv[i] === word));
  if (!command) {
    err(io, `guardline: unknown command '${argv.join(' ')}'\n\n${help()}`);
    return 2;
  }
  const args = argv.slice(command.path.length);
  if (args.includes('--help') || args.includes('-h')) {
    out(io, `${usageOf(command)}\n  ${command.summary}`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      err(io, `guardline ${command.path.join(' ')}: ${e.message}\n${usageOf(command)}`);
      return 2;
    }
    const { headline, action } = describeError(e);
    err(io, `guardline ${command.path.join(' ')}: ${headline}`);
    if (action) err(io, `  what to do: ${action}`);
    return 1;
  }
}
