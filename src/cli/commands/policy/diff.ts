import { diffPolicies, formatRuleChanges } from '../../../policy-versions/index.ts';
import { policyFromArg } from '../../../replay/index.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyDiff: Command = {
  path: ['policy', 'diff'],
  usage: 'policy diff <a> <b> [--json]',
  help: '  <a>, <b>   each a version label@hash or a policy file',
  summary: 'the rules that differ between two versions or files (tighter/looser marked)',
  async run(args, io) {
    const { values, positionals } = parseArgs(args, STORE_OPTIONS, true);
    const [a, b] = positionals;
    if (!a || !b || positionals.length !== 2) throw new UsageError('give two versions or files');
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      const left = await policyFromArg(a, async () => store);
      const right = await policyFromArg(b, async () => store);
      const changes = diffPolicies(left.policy, right.policy);
      if (values.json) out(io, JSON.stringify({ a: left.version, b: right.version, changes }));
      else out(io, `${left.version} → ${right.version}\n${formatRuleChanges(changes)}`);
      return 0;
    });
  },
};
