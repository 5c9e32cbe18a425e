import { type Command, out } from '../command.ts';
import { parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy list [--json]';

export const policyList: Command = {
  path: ['policy', 'list'],
  usage: 'policy list [--json]',
  summary: 'list stored policy versions (* active, ~ shadow, ? waiting for a second manager)',
  async run(args, io) {
    let values: ReturnType<typeof parseCommand>['values'];
    try {
      ({ values } = parseCommand(args, {}));
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    return withStore(io, USAGE, values, async (store) => {
      const [versions, active, pending, shadow] = await Promise.all([
        store.policies.list(),
        store.policies.getActive(),
        store.publications.listPending(),
        store.shadow.getCandidate(),
      ]);
      if (values.json) {
        for (const { yaml: _yaml, ...v } of versions)
          out(io, JSON.stringify({ ...v, active: v.id === active?.id, shadow: v.id === shadow?.versionId }));
        return 0;
      }
      for (const v of versions) {
        const mark =
          v.id === active?.id
            ? '*'
            : v.id === shadow?.versionId
              ? '~'
              : pending.some((p) => p.versionId === v.id)
                ? '?'
                : ' ';
        out(
          io,
          `${mark} ${v.id}  ${new Date(v.createdAt).toISOString()}  by ${v.author}  parent ${v.parent ?? '-'}  ${v.reason}`,
        );
      }
      return 0;
    });
  },
};
