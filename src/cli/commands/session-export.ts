import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isGuardlineError } from '../../errors/index.ts';
import { exportRecording, formatRecording } from '../../replay/index.ts';
import { openStore } from '../../store/index.ts';
import { type Command, err, out } from '../command.ts';
import { STORE_OPTIONS, storeConfigFrom } from './audit-args.ts';

const USAGE = 'usage: guardline session export <session-id> [--out FILE] [--db PATH | --database-url URL]';

export const sessionExport: Command = {
  path: ['session', 'export'],
  usage: 'session export <session-id> [--out FILE]',
  summary: 'write a session’s recorded inputs and decisions as a JSON Lines recording (for replay)',
  async run(args, io) {
    let id: string | undefined;
    let flags: { out?: string; db?: string; 'database-url'?: string; schema?: string };
    try {
      const parsed = parseArgs({
        args,
        options: { ...STORE_OPTIONS, out: { type: 'string' } },
        allowPositionals: true,
      });
      flags = parsed.values;
      if (parsed.positionals.length !== 1) throw new Error('give one session id');
      id = parsed.positionals[0] as string;
    } catch (e) {
      err(io, `${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    try {
      const store = await openStore(storeConfigFrom(flags, io), { readOnly: true });
      try {
        const text = formatRecording(await exportRecording(store, id));
        if (flags.out) {
          await writeFile(flags.out, text);
          out(io, `${id}: ${text.split('\n').length - 2} lines written to ${flags.out}`);
        } else io.stdout.write(text);
        return 0;
      } finally {
        await store.close();
      }
    } catch (e) {
      if (isGuardlineError(e)) {
        err(io, `${e.code}: ${e.message}\n  what to do: ${e.action}`);
        return 1;
      }
      throw e;
    }
  },
};
