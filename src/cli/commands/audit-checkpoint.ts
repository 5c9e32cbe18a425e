import { writeFileSync } from 'node:fs';
import { checkpointOf } from '../../audit/checkpoint.ts';
import { openStore } from '../../store/open.ts';
import { type Command, err, out } from '../command.ts';
import { parse, STORE_OPTIONS, storeConfigFrom, UsageError, verifyingKey } from './audit-args.ts';

export const auditCheckpoint: Command = {
  path: ['audit', 'checkpoint'],
  usage: 'audit checkpoint [--db PATH | --database-url URL] [--out FILE]',
  summary: 'print the latest signed chain head, for an operator or another system to keep (verify --checkpoint)',
  async run(args, io) {
    let flags: ReturnType<typeof parse<typeof OPTIONS>>['values'];
    try {
      flags = parse(args, OPTIONS).values;
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(io, `guardline audit checkpoint: ${e.message}\nusage: guardline ${auditCheckpoint.usage}`);
      return 2;
    }
    const config = storeConfigFrom(flags, io);
    const publicKey = verifyingKey(flags, io, config);
    const store = await openStore(config, { readOnly: true });
    try {
      const head = await store.audit.head();
      if (!head) {
        err(io, 'guardline audit checkpoint: the audit chain is empty; nothing to checkpoint yet');
        return 1;
      }
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const text = `${JSON.stringify(checkpointOf(head, pem), null, 2)}\n`;
      if (flags.out) {
        writeFileSync(flags.out, text);
        out(io, `checkpoint at seq ${head.seq} written to ${flags.out}`);
      } else out(io, text);
      return 0;
    } finally {
      await store.close();
    }
  },
};

const OPTIONS = { ...STORE_OPTIONS, out: { type: 'string' } } as const;
