import { approvePublication } from '../../policy-versions/index.ts';
import { type Command, out } from '../command.ts';
import { actorFrom, PolicyUsageError, parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy approve <version> [--author ID]';

export const policyApprove: Command = {
  path: ['policy', 'approve'],
  usage: 'policy approve <version>',
  summary: 'second manager: approve a pending publication, which makes it active',
  async run(args, io) {
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(args, { author: { type: 'string' } });
      if (parsed.positionals.length !== 1) throw new PolicyUsageError('give one version');
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    const version = parsed.positionals[0] as string;
    return withStore(io, USAGE, parsed.values, async (store) => {
      await approvePublication(store, version, { actor: actorFrom(parsed.values, io), at: Date.now() });
      out(io, `${version}: approved and active`);
      return 0;
    });
  },
};
