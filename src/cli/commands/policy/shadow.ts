import { storedPolicy } from '../../../replay/index.ts';
import { formatShadowReport, shadowReport } from '../../../shadow/index.ts';
import { AUTHOR_HELP, AUTHOR_OPTION, actorFrom } from '../../actor.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyShadow: Command = {
  path: ['policy', 'shadow'],
  usage: 'policy shadow <version>|--stop [--reason TEXT]',
  help: AUTHOR_HELP,
  summary: 'run a candidate version in shadow beside the active one on every new session (or stop)',
  async run(args, io) {
    const { values, positionals } = parseArgs(
      args,
      { ...STORE_OPTIONS, ...AUTHOR_OPTION, stop: { type: 'boolean' }, reason: { type: 'string' } },
      true,
    );
    if (values.stop ? positionals.length !== 0 : positionals.length !== 1)
      throw new UsageError('give one version, or --stop');
    const version = values.stop ? null : (positionals[0] as string);
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      if (version) await storedPolicy(store, version);
      await store.shadow.setCandidate(version, {
        actor: actorFrom(values, io),
        reason: values.reason ?? (version ? 'shadow started' : 'shadow stopped'),
        at: Date.now(),
      });
      out(io, version ? `${version}: in shadow on every new session` : 'shadow stopped');
      return 0;
    });
  },
};

export const policyShadowReport: Command = {
  path: ['policy', 'shadow-report'],
  usage: 'policy shadow-report [<version>] [--json]',
  summary: 'where the shadow version decided differently from the active one, with examples',
  async run(args, io) {
    const { values, positionals } = parseArgs(args, STORE_OPTIONS, true);
    if (positionals.length > 1) throw new UsageError('give at most one version');
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      const version = positionals[0] ?? (await store.shadow.getCandidate())?.versionId;
      if (!version) throw new UsageError('no shadow is running; name the version');
      const report = await shadowReport(store, version);
      out(io, values.json ? JSON.stringify(report) : formatShadowReport(report));
      return 0;
    });
  },
};
