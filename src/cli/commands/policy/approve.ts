import { approvePublication } from '../../../policy-versions/index.ts';
import { AUTHOR_HELP, AUTHOR_OPTION, actorFrom } from '../../actor.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyApprove: Command = {
  path: ['policy', 'approve'],
  usage: 'policy approve <version>',
  help: AUTHOR_HELP,
  summary: 'second manager: approve a pending publication, which makes it active',
  async run(args, io) {
    const { values, positionals } = parseArgs(args, { ...STORE_OPTIONS, ...AUTHOR_OPTION }, true);
    const [version] = positionals;
    if (!version || positionals.length !== 1) throw new UsageError('give one version');
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      await approvePublication(store, version, { actor: actorFrom(values, io), at: Date.now() });
      out(io, `${version}: approved and active`);
      return 0;
    });
  },
};
