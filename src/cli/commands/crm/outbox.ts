import { z } from 'zod';
import { formatOutbox, outboxView } from '../../../crm/outbox-view.ts';
import { storeConfigFromEnv } from '../../../store/index.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { withStore } from '../../store-options.ts';

const Status = z.enum(['pending', 'delivered', 'parked', 'rolled_back', 'not_configured']);

export const crmOutbox: Command = {
  path: ['crm', 'outbox'],
  usage: 'crm outbox [--status S] [--json]',
  summary: 'list CRM writes with status, target, before/after diff and error',
  async run(args, io) {
    const { values } = parseArgs(args, {
      status: { type: 'string' },
      json: { type: 'boolean' },
      limit: { type: 'string' },
    });
    const status = values.status === undefined ? undefined : Status.safeParse(values.status);
    if (status && !status.success) throw new UsageError(`--status must be one of: ${Status.options.join(', ')}`);
    const limit = values.limit === undefined ? 1000 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    return withStore(storeConfigFromEnv(io.env), {}, async (store) => {
      const rows = await store.outbox.list({ ...(status?.success ? { status: status.data } : {}), limit });
      const views = rows.map(outboxView);
      out(io, values.json ? JSON.stringify(views, null, 2) : formatOutbox(views));
      return 0;
    });
  },
};
