import { parseArgs as parseNodeArgs } from 'node:util';
import { isGuardlineError } from '../../errors/index.ts';
import type { LoadedPolicy } from '../../policy/index.ts';
import {
  compareRuns,
  policyFromArg,
  proposalParams,
  readRecording,
  recordingFiles,
  replayRecording,
  type SessionDiff,
  totalsOf,
} from '../../replay/index.ts';
import { ProgressBar } from '../../replay/progress.ts';
import { openStore } from '../../store/index.ts';
import type { Store } from '../../store/types.ts';
import { type Command, err, out } from '../command.ts';
import { STORE_OPTIONS, storeConfigFrom } from './audit-args.ts';
import { formatDiff, formatTotals } from './replay-format.ts';

const USAGE = 'usage: guardline replay <recordings…> [--policy FILE|VERSION] [--json] [--progress]';

export const replay: Command = {
  path: ['replay'],
  usage: 'replay <recordings…> [--policy FILE|VERSION] [--json] [--progress]',
  summary: 're-run recorded sessions against a policy and show which decisions, concessions and timeouts change',
  async run(args, io) {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs(args);
    } catch (e) {
      err(io, `${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    const { flags, files } = parsed;
    let store: Store | null = null;
    try {
      const candidate: LoadedPolicy | undefined = flags.policy
        ? await policyFromArg(flags.policy, async () => {
            store ??= await openStore(storeConfigFrom(flags, io), { readOnly: true });
            return store;
          })
        : undefined;
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
          out(io, JSON.stringify({ type: 'session', file, mode: result.mode, version: result.replayVersion, ...diff }));
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
    } catch (e) {
      if (isGuardlineError(e)) {
        err(io, `${e.code}: ${e.message}\n  what to do: ${e.action}`);
        return 1;
      }
      throw e;
    } finally {
      await (store as Store | null)?.close();
    }
  },
};

function parseArgs(args: string[]) {
  const { values, positionals } = parseNodeArgs({
    args,
    options: { ...STORE_OPTIONS, policy: { type: 'string' }, progress: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new Error('give at least one recording (file or directory)');
  return { flags: values, files: positionals };
}
