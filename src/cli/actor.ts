import type { CommandIO } from './command.ts';

/** `--author ID`, for the commands whose changes the audit log attributes to a person. */
export const AUTHOR_OPTION = { author: { type: 'string' } } as const;

export const AUTHOR_HELP = '  --author ID   who the audit log names (default: $GUARDLINE_USER, else $USER)';

/** Who runs the command, as the audit log names them: `--author`, else $GUARDLINE_USER or $USER. */
export function actorFrom(flags: { author?: string | undefined }, io: CommandIO): string {
  const who = flags.author ?? io.env.GUARDLINE_USER ?? io.env.USER ?? 'operator';
  return who.includes(':') ? who : `human:${who}`;
}
