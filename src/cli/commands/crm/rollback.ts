import { requestRollback } from '../../../crm/rollback.ts';
import { GuardlineError } from '../../../errors/index.ts';
import { storeConfigFromEnv } from '../../../store/index.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { withStore } from '../../store-options.ts';

export const crmRollback: Command = {
  path: ['crm', 'rollback'],
  usage: 'crm rollback --write ID --by NAME [--reason TEXT] [--json]',
  help: '  --by names the manager asking (letters, digits, . _ @ -)',
  summary: 'undo a delivered CRM write (restores the previous values; gated and audited)',
  async run(args, io) {
    const { values } = parseArgs(args, {
      write: { type: 'string' },
      by: { type: 'string' },
      reason: { type: 'string' },
      json: { type: 'boolean' },
    });
    const { write, by } = values;
    if (!write || !by || !/^[\w.@-]{1,100}$/.test(by)) throw new UsageError('give --write ID and --by NAME');
    return withStore(storeConfigFromEnv(io.env), {}, async (store) => {
      const result = await requestRollback(store, {
        writeId: write,
        actor: `human:${by}`,
        reason: values.reason ?? 'rolled back from the CLI',
        now: Date.now(),
      });
      if (values.json) {
        out(io, JSON.stringify(result, null, 2));
      } else if (result.rollbackWrite) {
        out(io, `rollback of ${write} queued as ${result.rollbackWrite.id} (decision ${result.decision.id});`);
        out(io, 'the worker restores the previous values and marks the write rolled_back once delivered.');
      } else {
        out(io, `rollback of ${write} not allowed: ${result.decision.rationale.map((r) => r.message).join('; ')}`);
      }
      if (!result.rollbackWrite)
        throw new GuardlineError('GL_CRM_ROLLBACK_DENIED', result.decision.rationale[0]?.message);
      return 0;
    });
  },
};
