import { writeFileSync } from 'node:fs';
import { exportBundle } from '../../../audit/bundle.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, err, out } from '../../command.ts';
import { READ_ONLY, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';
import { verifyingKeyPem } from './verifying-key.ts';

export const auditExport: Command = {
  path: ['audit', 'export'],
  usage: 'audit export --session ID [--db PATH | --database-url URL] [--out FILE]',
  summary: "write a self-contained bundle of one session's audit entries that `audit verify --bundle` checks offline",
  async run(args, io) {
    const { values: flags } = parseArgs(args, {
      ...STORE_OPTIONS,
      session: { type: 'string' },
      out: { type: 'string' },
    });
    const session = flags.session;
    if (!session) throw new UsageError('--session ID is required');
    const config = storeConfigFrom(flags, io);
    const pem = verifyingKeyPem(flags, io, config);
    return withStore(config, READ_ONLY, async (store) => {
      const bundle = await exportBundle(store.audit, session, pem);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (flags.out) {
        writeFileSync(flags.out, text);
        err(
          io,
          `bundle for session ${bundle.sessionId}: ${bundle.links.length} links up to signed head seq ${bundle.head.seq}, written to ${flags.out}`,
        );
      } else out(io, text);
      return 0;
    });
  },
};
