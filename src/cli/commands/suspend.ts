import { liftSuspension, SuspendRequest, suspend as suspendIn } from '../../suspensions/index.ts';
import { AUTHOR_HELP, AUTHOR_OPTION, actorFrom } from '../actor.ts';
import { parseArgs, UsageError } from '../args.ts';
import { type Command, out } from '../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../store-options.ts';

export const suspend: Command = {
  path: ['suspend'],
  usage: 'suspend (--agent ID | --role ROLE | --tenant ID) --reason TEXT [--end-call] | list | lift <id>',
  help: [
    '       guardline suspend list [--all] [--json]',
    '       guardline suspend lift <id> --reason TEXT',
    AUTHOR_HELP,
  ].join('\n'),
  summary: 'kill switch: hold (or end) every live session of an agent, role or tenant and refuse new ones',
  async run(args, io) {
    const { values, positionals } = parseArgs(args, OPTIONS, true);
    const [sub, id] = positionals;
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      const at = Date.now();
      if (sub === 'list') {
        const rows = values.all ? await store.suspensions.list() : await store.suspensions.listActive();
        for (const s of rows)
          out(
            io,
            values.json
              ? JSON.stringify(s)
              : `${s.id}  ${s.scope} ${s.target}  ${s.action}  by ${s.createdBy} at ${new Date(s.createdAt).toISOString()}  ${s.reason}${s.liftedAt ? `  (lifted by ${s.liftedBy}: ${s.liftReason})` : ''}`,
          );
        if (!values.json && rows.length === 0) out(io, 'no active suspensions');
        return 0;
      }
      if (!values.reason) throw new UsageError('--reason is required (it is recorded in the audit log)');
      if (sub === 'lift') {
        if (!id || positionals.length !== 2) throw new UsageError('give the suspension id to lift');
        const row = await liftSuspension(store, id, {
          actor: actorFrom(values, io),
          reason: values.reason,
          at,
        });
        out(io, `${row.id}: lifted (${row.scope} ${row.target}); held sessions resume within a second`);
        return 0;
      }
      if (positionals.length > 0) throw new UsageError(`unknown subcommand ${sub}`);
      const targets = (['agent', 'role', 'tenant'] as const).filter((k) => typeof values[k] === 'string');
      if (targets.length !== 1) throw new UsageError('give exactly one of --agent, --role, --tenant');
      const scope = targets[0] as 'agent' | 'role' | 'tenant';
      const req = SuspendRequest.parse({
        scope,
        target: values[scope],
        action: values['end-call'] ? 'end_call' : 'hold',
        reason: values.reason,
      });
      const row = await suspendIn(store, req, { actor: actorFrom(values, io), at });
      out(
        io,
        `${row.id}: ${row.scope} ${row.target} suspended (${row.action}); live sessions are told within a second`,
      );
      return 0;
    });
  },
};

const OPTIONS = {
  ...STORE_OPTIONS,
  ...AUTHOR_OPTION,
  agent: { type: 'string' },
  role: { type: 'string' },
  tenant: { type: 'string' },
  reason: { type: 'string' },
  'end-call': { type: 'boolean' },
  all: { type: 'boolean' },
} as const;
