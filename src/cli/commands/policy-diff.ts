import { diffPolicies, formatRuleChanges } from '../../policy-versions/index.ts';
import { policyFromArg } from '../../replay/index.ts';
import { type Command, out } from '../command.ts';
import { PolicyUsageError, parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy diff <a> <b> [--json]   (each a version label@hash or a policy file)';

export const policyDiff: Command = {
  path: ['policy', 'diff'],
  usage: 'policy diff <a> <b> [--json]',
  summary: 'the rules that differ between two versions or files (tighter/looser marked)',
  async run(args, io) {
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(args, {});
      if (parsed.positionals.length !== 2) throw new PolicyUsageError('give two versions or files');
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    const [a, b] = parsed.positionals as [string, string];
    return withStore(io, USAGE, parsed.values, async (store) => {
      const left = await policyFromArg(a, async () => store);
      const right = await policyFromArg(b, async () => store);
      const changes = diffPolicies(left.policy, right.policy);
      if (parsed.values.json) out(io, JSON.stringify({ a: left.version, b: right.version, changes }));
      else out(io, `${left.version} → ${right.version}\n${formatRuleChanges(changes)}`);
      return 0;
    });
  },
};
