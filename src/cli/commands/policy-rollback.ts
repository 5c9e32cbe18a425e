import { rollbackPolicy } from '../../policy-versions/index.ts';
import { type Command, out } from '../command.ts';
import { actorFrom, PolicyUsageError, parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy rollback <version> --reason TEXT [--author ID]';

export const policyRollback: Command = {
  path: ['policy', 'rollback'],
  usage: 'policy rollback <version> --reason TEXT',
  summary: 'make an earlier stored version active again (audited)',
  async run(args, io) {
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(args, { reason: { type: 'string' }, author: { type: 'string' } });
      if (parsed.positionals.length !== 1) throw new PolicyUsageError('give one version');
      if (!parsed.values.reason) throw new PolicyUsageError('--reason is required');
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    const version = parsed.positionals[0] as string;
    return withStore(io, USAGE, parsed.values, async (store) => {
      await rollbackPolicy(store, version, {
        actor: actorFrom(parsed.values, io),
        reason: String(parsed.values.reason),
        at: Date.now(),
      });
      out(io, `${version}: active again`);
      return 0;
    });
  },
};
