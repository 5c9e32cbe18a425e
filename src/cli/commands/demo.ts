import { runDemo } from '../../demo/run.ts';
import { type Command, err, out } from '../command.ts';

export const demo: Command = {
  path: ['demo'],
  usage: 'demo',
  summary: 'no keys, no setup: run the runtime with its fakes and play the sample calls, printing each decision',
  async run(args, io) {
    if (args.length > 0) {
      err(io, 'usage: guardline demo   (GUARDLINE_DATA_DIR chooses where its data goes)');
      return 2;
    }
    return runDemo({ env: io.env, write: (line) => out(io, line) });
  },
};
