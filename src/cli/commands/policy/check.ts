import { readFile } from 'node:fs/promises';
import { formatIssues, parsePolicy } from '../../../policy/index.ts';
import { parseArgs, UsageError } from '../../args.ts';
import { type Command, err, out } from '../../command.ts';

export const policyCheck: Command = {
  path: ['policy', 'check'],
  usage: 'policy check <file>',
  summary: 'validate a policy file; lists every error by path and line',
  async run(args, io) {
    const { positionals } = parseArgs(args, {}, true);
    const [file] = positionals;
    if (!file || positionals.length !== 1) throw new UsageError('give one policy file');
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch (e) {
      err(io, `GL_POLICY_UNREADABLE: ${file}: ${(e as Error).message}`);
      return 1;
    }
    const parsed = parsePolicy(source);
    if (parsed.ok) {
      out(io, `${file}: valid, version ${parsed.loaded.version}`);
      return 0;
    }
    err(io, `GL_POLICY_INVALID: ${parsed.issues.length} error${parsed.issues.length === 1 ? '' : 's'} in ${file}`);
    err(io, formatIssues(file, parsed.issues));
    return 1;
  },
};
