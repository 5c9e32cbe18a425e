import { parseArgs } from 'node:util';
import { requestRollback } from '../../crm/rollback.ts';
import { GuardlineError } from '../../errors/index.ts';
import { openStore, storeConfigFromEnv } from '../../store/index.ts';
import { type Command, err, out } from '../command.ts';

export const crmRollback: Command = {
  path: ['crm', 'rollback'],
  usage: 'crm rollback --write ID --by NAME [--reason TEXT] [--json]',
  summary: 'undo a delivered CRM write (restores the previous values; gated and audited)',
  async run(args, io) {
    let values: { write?: string; by?: string; reason?: string; json?: boolean };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          write: { type: 'string' },
          by: { type: 'string' },
          reason: { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (e) {
      err(io, `${(e as Error).message}\nusage: guardline ${crmRollback.usage}`);
      return 2;
    }
    if (!values.write || !values.by || !/^[\w.@-]{1,100}$/.test(values.by)) {
      err(io, `usage: guardline ${crmRollback.usage}\n  --by names the manager asking (letters, digits, . _ @ -)`);
      return 2;
    }
    const store = await openStore(storeConfigFromEnv(io.env));
    try {
      const result = await requestRollback(store, {
        writeId: values.write,
        actor: `human:${values.by}`,
        reason: values.reason ?? 'rolled back from the CLI',
        now: Date.now(),
      });
      if (values.json) {
        out(io, JSON.stringify(result, null, 2));
      } else if (result.rollbackWrite) {
        out(io, `rollback of ${values.write} queued as ${result.rollbackWrite.id} (decision ${result.decision.id});`);
        out(io, 'the worker restores the previous values and marks the write rolled_back once delivered.');
      } else {
        out(
          io,
          `rollback of ${values.write} not allowed: ${result.decision.rationale.map((r) => r.message).join('; ')}`,
        );
      }
      if (!result.rollbackWrite)
        throw new GuardlineError('GL_CRM_ROLLBACK_DENIED', result.decision.rationale[0]?.message);
      return 0;
    } finally {
      await store.close();
    }
  },
};
