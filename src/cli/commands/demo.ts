import { runDemo } from '../../demo/run.ts';
import { parseArgs } from '../args.ts';
import { type Command, out } from '../command.ts';

export const demo: Command = {
  path: ['demo'],
  usage: 'demo',
  help: '  GUARDLINE_DATA_DIR chooses where its data goes',
  summary: 'no keys, no setup: run the runtime with its fakes and play the sample calls, printing each decision',
  async run(args, io) {
    parseArgs(args, {});
    return runDemo({ env: io.env, write: (line) => out(io, line) });
  },
};
