import { createInterface } from 'node:readline';
import { analyzeUtterance, loadPhraseBook, type PhraseBook, type Speaker, toCliJson } from '../../analysis/index.ts';
import { type Command, err } from '../command.ts';

const USAGE = 'analyze --speaker agent|customer [--phrases <file>]';

function parseArgs(args: string[]): { speaker: Speaker; phrases?: string } | string {
  let speaker: string | undefined;
  let phrases: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [name, inline] = arg.includes('=') ? (arg.split('=', 2) as [string, string]) : [arg, undefined];
    const value = inline ?? args[i + 1];
    if (name !== '--speaker' && name !== '--phrases') return `unknown option '${arg}'`;
    if (value === undefined || value.startsWith('--')) return `${name} needs a value`;
    if (inline === undefined) i++;
    if (name === '--speaker') speaker = value;
    else phrases = value;
  }
  if (speaker !== 'agent' && speaker !== 'customer') return '--speaker must be agent or customer';
  return phrases === undefined ? { speaker } : { speaker, phrases };
}

/** `guardline analyze`: one utterance per stdin line in, one JSON object of facts per line out. */
export const analyze: Command = {
  path: ['analyze'],
  usage: USAGE,
  summary: 'read utterances (one per line) from stdin; print the facts of each as a JSON line',
  async run(args, io) {
    const parsed = parseArgs(args);
    if (typeof parsed === 'string') {
      err(io, `guardline analyze: ${parsed}\nusage: guardline ${USAGE}`);
      return 2;
    }
    // An invalid phrase book throws GL_PHRASES_INVALID; main prints its code and what to do.
    const book: PhraseBook | undefined = parsed.phrases === undefined ? undefined : loadPhraseBook(parsed.phrases);
    const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      const facts = analyzeUtterance(line, parsed.speaker, book);
      const ok = io.stdout.write(`${JSON.stringify(toCliJson(facts))}\n`);
      if (!ok) await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
    return 0;
  },
};
