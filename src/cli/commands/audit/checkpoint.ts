import { writeFileSync } from 'node:fs';
import { checkpointOf } from '../../../audit/checkpoint.ts';
import { parseArgs } from '../../args.ts';
import { type Command, err, out } from '../../command.ts';
import { READ_ONLY, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';
import { verifyingKeyPem } from './verifying-key.ts';

export const auditCheckpoint: Command = {
  path: ['audit', 'checkpoint'],
  usage: 'audit checkpoint [--db PATH | --database-url URL] [--out FILE]',
  summary: 'print the latest signed chain head, for an operator or another system to keep (verify --checkpoint)',
  async run(args, io) {
    const { values: flags } = parseArgs(args, { ...STORE_OPTIONS, out: { type: 'string' } });
    const config = storeConfigFrom(flags, io);
    const pem = verifyingKeyPem(flags, io, config);
    return withStore(config, READ_ONLY, async (store) => {
      const head = await store.audit.head();
      if (!head) {
        err(io, 'guardline audit checkpoint: the audit chain is empty; nothing to checkpoint yet');
        return 1;
      }
      const text = `${JSON.stringify(checkpointOf(head, pem), null, 2)}\n`;
      if (flags.out) {
        writeFileSync(flags.out, text);
        out(io, `checkpoint at seq ${head.seq} written to ${flags.out}`);
      } else out(io, text);
      return 0;
    });
  },
};
