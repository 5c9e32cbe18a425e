import { writeFile } from 'node:fs/promises';
import { exportRecording, formatRecording } from '../../../replay/index.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_ONLY, STORE_HELP, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const sessionExport: Command = {
  path: ['session', 'export'],
  usage: 'session export <session-id> [--out FILE]',
  help: STORE_HELP,
  summary: 'write a session’s recorded inputs and decisions as a JSON Lines recording (for replay)',
  async run(args, io) {
    const { values: flags, positionals } = parseArgs(args, { ...STORE_OPTIONS, out: { type: 'string' } }, true);
    const [id] = positionals;
    if (!id || positionals.length !== 1) throw new UsageError('give one session id');
    return withStore(storeConfigFrom(flags, io), READ_ONLY, async (store) => {
      const text = formatRecording(await exportRecording(store, id));
      if (flags.out) {
        await writeFile(flags.out, text);
        out(io, `${id}: ${text.split('\n').length - 2} lines written to ${flags.out}`);
      } else io.stdout.write(text);
      return 0;
    });
  },
};
