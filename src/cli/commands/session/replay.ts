import {
  compareRuns,
  policyFromArg,
  proposalParams,
  readRecording,
  recordingFiles,
  replayRecording,
  type SessionDiff,
  totalsOf,
} from '../../../replay/index.ts';
import { ProgressBar } from '../../../replay/progress.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_ONLY, STORE_OPTIONS, storeConfigFrom, withStoreOnDemand } from '../../store-options.ts';
import { formatDiff, formatTotals } from './replay-format.ts';

export const replay: Command = {
  path: ['replay'],
  usage: 'replay <recordings…> [--policy FILE|VERSION] [--json] [--progress]',
  summary: 're-run recorded sessions against a policy and show which decisions, concessions and timeouts change',
  async run(args, io) {
    const { values: flags, positionals: files } = parseArgs(
      args,
      { ...STORE_OPTIONS, policy: { type: 'string' }, progress: { type: 'boolean' } },
      true,
    );
    if (files.length === 0) throw new UsageError('give at least one recording (file or directory)');
    // The store is opened only when --policy names a stored version.
    return withStoreOnDemand(
      () => storeConfigFrom(flags, io),
      READ_ONLY,
      async (store) => {
        const candidate = flags.policy ? await policyFromArg(flags.policy, store) : undefined;
        const list = recordingFiles(files);
        const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
        const bar = new ProgressBar(io.stderr, list.length, flags.progress === true || (tty && list.length >= 20));
        const diffs: SessionDiff[] = [];
        let sameVersion = 0;
        for (const [i, file] of list.entries()) {
          const recording = readRecording(file);
          const result = replayRecording(recording, candidate);
          if (result.mode === 'exact') sameVersion++;
          const diff = compareRuns(result.sessionId, recording, result, proposalParams(recording.inputs));
          diffs.push(diff);
          if (flags.json)
            out(
              io,
              JSON.stringify({ type: 'session', file, mode: result.mode, version: result.replayVersion, ...diff }),
            );
          else out(io, formatDiff(diff, result.mode));
          bar.update(i + 1);
        }
        bar.finish();
        const totals = totalsOf(diffs);
        const exact = sameVersion === diffs.length && diffs.length > 0;
        const reproduced = diffs.every((d) => d.identical);
        if (flags.json) out(io, JSON.stringify({ ...totals, sameVersion: exact, reproducedExactly: reproduced }));
        else {
          out(io, formatTotals(totals));
          if (exact && reproduced)
            out(io, `Same policy version: all ${totals.decisions} recorded decisions reproduced exactly (law 6).`);
          else if (exact) out(io, 'Same policy version, yet some decisions differ: law 6 is broken here; report it.');
        }
        return exact && !reproduced ? 1 : 0;
      },
    );
  },
};
