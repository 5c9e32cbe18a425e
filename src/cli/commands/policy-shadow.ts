import { storedPolicy } from '../../replay/index.ts';
import { formatShadowReport, shadowReport } from '../../shadow/index.ts';
import { type Command, out } from '../command.ts';
import { actorFrom, PolicyUsageError, parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy shadow <version>|--stop [--reason TEXT]';

export const policyShadow: Command = {
  path: ['policy', 'shadow'],
  usage: 'policy shadow <version>|--stop [--reason TEXT]',
  summary: 'run a candidate version in shadow beside the active one on every new session (or stop)',
  async run(args, io) {
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(args, {
        stop: { type: 'boolean' },
        reason: { type: 'string' },
        author: { type: 'string' },
      });
      if (parsed.values.stop ? parsed.positionals.length !== 0 : parsed.positionals.length !== 1)
        throw new PolicyUsageError('give one version, or --stop');
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    const version = parsed.values.stop ? null : (parsed.positionals[0] as string);
    return withStore(io, USAGE, parsed.values, async (store) => {
      if (version) await storedPolicy(store, version);
      await store.shadow.setCandidate(version, {
        actor: actorFrom(parsed.values, io),
        reason: String(parsed.values.reason ?? (version ? 'shadow started' : 'shadow stopped')),
        at: Date.now(),
      });
      out(io, version ? `${version}: in shadow on every new session` : 'shadow stopped');
      return 0;
    });
  },
};

const REPORT_USAGE = 'usage: guardline policy shadow-report [<version>] [--json]';

export const policyShadowReport: Command = {
  path: ['policy', 'shadow-report'],
  usage: 'policy shadow-report [<version>] [--json]',
  summary: 'where the shadow version decided differently from the active one, with examples',
  async run(args, io) {
    let parsed: ReturnType<typeof parseCommand>;
    try {
      parsed = parseCommand(args, {});
      if (parsed.positionals.length > 1) throw new PolicyUsageError('give at most one version');
    } catch (e) {
      return usageFailure(io, e, REPORT_USAGE);
    }
    return withStore(io, REPORT_USAGE, parsed.values, async (store) => {
      const version = parsed.positionals[0] ?? (await store.shadow.getCandidate())?.versionId;
      if (!version) throw new PolicyUsageError('no shadow is running; name the version');
      const report = await shadowReport(store, version);
      out(io, parsed.values.json ? JSON.stringify(report) : formatShadowReport(report));
      return 0;
    });
  },
};
