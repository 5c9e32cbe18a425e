import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatOutbox, outboxView } from '../../crm/outbox-view.ts';
import { openStore, storeConfigFromEnv } from '../../store/index.ts';
import { type Command, err, out } from '../command.ts';

const Status = z.enum(['pending', 'delivered', 'parked', 'rolled_back', 'not_configured']);

export const crmOutbox: Command = {
  path: ['crm', 'outbox'],
  usage: 'crm outbox [--status S] [--json]',
  summary: 'list CRM writes with status, target, before/after diff and error',
  async run(args, io) {
    let values: { status?: string | undefined; json?: boolean | undefined; limit?: string | undefined };
    try {
      ({ values } = parseArgs({
        args,
        options: { status: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      err(io, `${(e as Error).message}\nusage: guardline ${crmOutbox.usage}`);
      return 2;
    }
    const status = values.status === undefined ? undefined : Status.safeParse(values.status);
    if (status && !status.success) {
      err(io, `--status must be one of: ${Status.options.join(', ')}`);
      return 2;
    }
    const limit = values.limit === undefined ? 1000 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      err(io, '--limit must be a positive integer');
      return 2;
    }
    const store = await openStore(storeConfigFromEnv(io.env));
    try {
      const rows = await store.outbox.list({ ...(status?.success ? { status: status.data } : {}), limit });
      const views = rows.map(outboxView);
      out(io, values.json ? JSON.stringify(views, null, 2) : formatOutbox(views));
      return 0;
    } finally {
      await store.close();
    }
  },
};
