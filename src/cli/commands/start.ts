import { parseArgs } from '../args.ts';
import type { Command } from '../command.ts';

/** `guardline start`: the same as `npm start` (runs until SIGTERM/SIGINT). */
export const start: Command = {
  path: ['start'],
  usage: 'start',
  summary: 'run the Guardline server (PORT, default 8787; configuration from the environment)',
  async run(args, io) {
    parseArgs(args, {});
    const { startFromEnv } = await import('../../server/main.ts');
    await startFromEnv(io.env);
    await new Promise<never>(() => {});
    return 0;
  },
};
