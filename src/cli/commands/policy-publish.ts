import { readFile } from 'node:fs/promises';
import { GuardlineError } from '../../errors/index.ts';
import { publishPolicy } from '../../policy-versions/index.ts';
import { type Command, out } from '../command.ts';
import { actorFrom, PolicyUsageError, parseCommand, usageFailure, withStore } from './policy-common.ts';

const USAGE = 'usage: guardline policy publish <file> --reason TEXT [--label LABEL] [--author ID]';

export const policyPublish: Command = {
  path: ['policy', 'publish'],
  usage: 'policy publish <file> --reason TEXT [--label LABEL]',
  summary: 'store a policy file as a new immutable version and make it active (or wait for a second manager)',
  async run(args, io) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (e) {
      return usageFailure(io, e, USAGE);
    }
    const { values, file } = parsed;
    return withStore(io, USAGE, values, async (store) => {
      let yaml: string;
      try {
        yaml = await readFile(file, 'utf8');
      } catch (e) {
        throw new GuardlineError('GL_POLICY_UNREADABLE', `${file}: ${(e as Error).message}`);
      }
      const result = await publishPolicy(store, {
        yaml,
        ...(values.label ? { label: values.label } : {}),
        reason: values.reason as string,
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

function parse(args: string[]) {
  const { values, positionals } = parseCommand(args, {
    reason: { type: 'string' },
    label: { type: 'string' },
    author: { type: 'string' },
  });
  if (positionals.length !== 1) throw new PolicyUsageError('give one policy file');
  if (!values.reason) throw new PolicyUsageError('--reason is required (it is recorded in the audit log)');
  return { values, file: positionals[0] as string };
}
