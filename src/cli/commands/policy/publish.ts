import { readFile } from 'node:fs/promises';
import { GuardlineError } from '../../../errors/index.ts';
import { publishPolicy } from '../../../policy-versions/index.ts';
import { AUTHOR_HELP, AUTHOR_OPTION, actorFrom } from '../../actor.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, out } from '../../command.ts';
import { READ_WRITE, STORE_OPTIONS, storeConfigFrom, withStore } from '../../store-options.ts';

export const policyPublish: Command = {
  path: ['policy', 'publish'],
  usage: 'policy publish <file> --reason TEXT [--label LABEL]',
  help: AUTHOR_HELP,
  summary: 'store a policy file as a new immutable version and make it active (or wait for a second manager)',
  async run(args, io) {
    const { values, positionals } = parseArgs(
      args,
      { ...STORE_OPTIONS, ...AUTHOR_OPTION, reason: { type: 'string' }, label: { type: 'string' } },
      true,
    );
    const [file] = positionals;
    const reason = values.reason;
    if (!file || positionals.length !== 1) throw new UsageError('give one policy file');
    if (!reason) throw new UsageError('--reason is required (it is recorded in the audit log)');
    return withStore(storeConfigFrom(values, io), READ_WRITE, async (store) => {
      let yaml: string;
      try {
        yaml = await readFile(file, 'utf8');
      } catch (e) {
        throw new GuardlineError('GL_POLICY_UNREADABLE', `${file}: ${(e as Error).message}`);
      }
      const result = await publishPolicy(store, {
        yaml,
        ...(values.label ? { label: values.label } : {}),
        reason,
        author: actorFrom(values, io),
        at: Date.now(),
        source: file,
      });
      const id = result.version.id;
      const applies =
        result.applies === 'immediately'
          ? 'live sessions switch to it at once'
          : 'new sessions start on it; live ones keep theirs';
      if (result.status === 'pending')
        out(io, `${id}: stored; waiting for a second manager (guardline policy approve ${id})`);
      else if (result.status === 'already_active') out(io, `${id}: already the active version`);
      else out(io, `${id}: published and active (parent ${result.version.parent ?? 'none'}); ${applies}`);
      return 0;
    });
  },
};
