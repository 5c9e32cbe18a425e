import { rollbackPolicy } from '../../../policy-versions/index.ts';
import { AUTHOR_HELP, AUTHOR_OPTION, actorFrom } from '../../actor.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyRollback: Command = {
  path: ['policy', 'rollback'],
  usage: 'policy rollback <version> --reason TEXT',
  help: AUTHOR_HELP,
  summary: 'make an earlier stored version active again (audited)',
  async run(args, io) {
    const { values, positionals } = parseArgs(
      args,
      { ...STORE_OPTIONS, ...AUTHOR_OPTION, reason: { type: 'string' } },
      true,
    );
    const [version] = positionals;
    const reason = values.reason;
    if (!version || positionals.length !== 1) throw new UsageError('give one version');
    if (!reason) throw new UsageError('--reason is required');
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      await rollbackPolicy(store, version, { actor: actorFrom(values, io), reason, at: Date.now() });
      out(io, `${version}: active again`);
      return 0;
    });
  },
};
