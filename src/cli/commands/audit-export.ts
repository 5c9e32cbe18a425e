import { writeFileSync } from 'node:fs';
import { exportBundle } from '../../audit/bundle.ts';
import { openStore } from '../../store/open.ts';
import { type Command, err, out } from '../command.ts';
import { parse, STORE_OPTIONS, storeConfigFrom, UsageError, verifyingKey } from './audit-args.ts';

export const auditExport: Command = {
  path: ['audit', 'export'],
  usage: 'audit export --session ID [--db PATH | --database-url URL] [--out FILE]',
  summary: "write a self-contained bundle of one session's audit entries that `audit verify --bundle` checks offline",
  async run(args, io) {
    let flags: ReturnType<typeof parse<typeof OPTIONS>>['values'];
    try {
      flags = parse(args, OPTIONS).values;
      if (!flags.session) throw new UsageError('--session ID is required');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(io, `guardline audit export: ${e.message}\nusage: guardline ${auditExport.usage}`);
      return 2;
    }
    const config = storeConfigFrom(flags, io);
    const pem = verifyingKey(flags, io, config).export({ type: 'spki', format: 'pem' }).toString();
    const store = await openStore(config, { readOnly: true });
    try {
      const bundle = await exportBundle(store.audit, flags.session as string, pem);
      const text = `${JSON.stringify(bundle, null, 2)}\n`;
      if (flags.out) {
        writeFileSync(flags.out, text);
        err(
          io,
          `bundle for session ${bundle.sessionId}: ${bundle.links.length} links up to signed head seq ${bundle.head.seq}, written to ${flags.out}`,
        );
      } else out(io, text);
      return 0;
    } finally {
      await store.close();
    }
  },
};

const OPTIONS = { ...STORE_OPTIONS, session: { type: 'string' }, out: { type: 'string' } } as const;
