import { verifyBundle } from '../../../audit/bundle.ts';
import { readCheckpoint } from '../../../audit/checkpoint.ts';
import { verifyChain } from '../../../audit/verify.ts';
import { parseArgs } from '../../args.ts';
import { type Command, err, out } from '../../command.ts';
import { READ_ONLY, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';
import { readText, verifyingKey } from './verifying-key.ts';

export const auditVerify: Command = {
  path: ['audit', 'verify'],
  usage:
    'audit verify [--db PATH | --database-url URL] [--from ID] [--checkpoint FILE] [--bundle FILE] [--public-key FILE] [--json]',
  summary: 'check every hash and signature of the audit chain (or a session bundle); exit 0 only when intact',
  async run(args, io) {
    const { values: flags } = parseArgs(args, OPTIONS);
    if (flags.bundle) {
      const pinned = flags['public-key'] ? verifyingKey(flags, io, null) : undefined;
      let bundle: unknown;
      try {
        bundle = JSON.parse(readText(flags.bundle));
      } catch (e) {
        err(io, `guardline audit verify: ${flags.bundle} is not JSON: ${(e as Error).message}`);
        return 1;
      }
      const report = verifyBundle(bundle, pinned);
      if (flags.json) out(io, JSON.stringify(report));
      else if (report.ok) {
        out(
          io,
          `intact: bundle for session ${report.sessionId}, ${report.entries} entries, signed head at seq ${report.headSeq} (key ${report.keyId})`,
        );
        if (!pinned)
          out(
            io,
            "note: checked against the key inside the bundle; pass --public-key to pin the operator's published key",
          );
      } else
        out(
          io,
          `BROKEN: ${report.problem?.seq === null ? '' : `seq ${report.problem?.seq}: `}${report.problem?.message}`,
        );
      return report.ok ? 0 : 1;
    }
    const config = storeConfigFrom(flags, io);
    const publicKey = verifyingKey(flags, io, config);
    const checkpoint = flags.checkpoint ? readCheckpoint(flags.checkpoint) : undefined;
    return withStore(config, READ_ONLY, async (store) => {
      const from = flags.from === undefined ? undefined : /^\d+$/.test(flags.from) ? Number(flags.from) : flags.from;
      const report = await verifyChain(store.audit, {
        publicKey,
        ...(from === undefined ? {} : { from }),
        ...(checkpoint ? { checkpoint } : {}),
      });
      if (flags.json) out(io, JSON.stringify(report));
      else if (report.ok) {
        out(
          io,
          `intact: ${report.checked} entries (seq ${report.fromSeq}..${report.lastSeq}), ${report.signedHeads} signed heads verified${checkpoint ? `, extends the checkpoint at seq ${checkpoint.seq}` : ''}`,
        );
      } else {
        const p = report.problem;
        out(io, `BROKEN (${p?.kind}) at seq ${p?.seq}${p?.id ? ` (entry ${p.id})` : ''}: ${p?.message}`);
      }
      return report.ok ? 0 : 1;
    });
  },
};

const OPTIONS = {
  ...STORE_OPTIONS,
  from: { type: 'string' },
  checkpoint: { type: 'string' },
  bundle: { type: 'string' },
} as const;
