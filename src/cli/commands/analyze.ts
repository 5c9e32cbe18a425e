import { createInterface } from 'node:readline';
import { analyzeUtterance, loadPhraseBook, type PhraseBook, toCliJson } from '../../analysis/index.ts';
import { parseArgs, UsageError } from '../args.ts';
import type { Command } from '../command.ts';

/** `guardline analyze`: one utterance per stdin line in, one JSON object of facts per line out. */
export const analyze: Command = {
  path: ['analyze'],
  usage: 'analyze --speaker agent|customer [--phrases <file>]',
  summary: 'read utterances (one per line) from stdin; print the facts of each as a JSON line',
  async run(args, io) {
    const { values } = parseArgs(args, { speaker: { type: 'string' }, phrases: { type: 'string' } });
    const speaker = values.speaker;
    if (speaker !== 'agent' && speaker !== 'customer') throw new UsageError('--speaker must be agent or customer');
    // An invalid phrase book throws GL_PHRASES_INVALID; main prints its code and what to do.
    const book: PhraseBook | undefined = values.phrases === undefined ? undefined : loadPhraseBook(values.phrases);
    const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      const facts = analyzeUtterance(line, speaker, book);
      const ok = io.stdout.write(`${JSON.stringify(toCliJson(facts))}\n`);
      if (!ok) await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
    return 0;
  },
};
