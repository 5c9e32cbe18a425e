import { parseArgs } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyList: Command = {
  path: ['policy', 'list'],
  usage: 'policy list [--json]',
  summary: 'list stored policy versions (* active, ~ shadow, ? waiting for a second manager)',
  async run(args, io) {
    const { values } = parseArgs(args, STORE_OPTIONS, true);
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
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
