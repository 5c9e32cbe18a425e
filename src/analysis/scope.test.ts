import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePhraseBook, defaultPhraseBook } from './phrase-book.ts';
import type { PhraseList } from './phrase-syntax.ts';
import { Scope } from './scope.ts';
import { findAll, readText } from './text.ts';

const phrases = compilePhraseBook(defaultPhraseBook());

function allLists(tree: unknown, out: PhraseList[] = []): PhraseList[] {
  if (tree && typeof tree === 'object' && 're' in tree && 'sticky' in tree) out.push(tree as PhraseList);
  else if (tree && typeof tree === 'object' && !(tree instanceof Map) && !(tree instanceof RegExp))
    for (const v of Object.values(tree)) allLists(v, out);
  return out;
}
const lists = allLists(phrases);

const corpus = readFileSync(new URL('../../test/fixtures/utterances/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { text: string }).text);
const words = [
  ...new Set(corpus.flatMap((t) => t.toLowerCase().split(/\s+/))),
  ...['$5', '20%off', '1.5', '$1,499', 'twenty', 'a', 'couple', 'few', 'business', 'days', '100%', '٣', 'x5', "'20"],
];
// Seven spaces are too long for the phrase regex's separator; the emoji, eight code units, are
// five code points, short enough: where lists may start (followers.ts) must agree on both.
const separators = [' ', ' ', ' ', ', ', '. ', '-', '', "'", ' $', '%', '       ', ' 😀😀😀 '];

/** Every match the list's global regex finds in the whole text, as spans. */
function scanned(list: PhraseList, norm: string) {
  return findAll(list.re, norm);
}

describe('Scope: trying lists only where they could start', () => {
  it('finds exactly what scanning the whole text finds, for every phrase list', () => {
    expect(lists.length).toBe(phrases.listCount);
    const utterance = fc
      .array(fc.tuple(fc.constantFrom(...words), fc.constantFrom(...separators)), { minLength: 1, maxLength: 30 })
      .map((parts) => parts.map(([w, sep]) => w + sep).join(''));
    fc.assert(
      fc.property(utterance, (text) => {
        const read = readText(text);
        const scope = new Scope(read, phrases);
        for (const list of lists) {
          expect(
            scope.matches(list).map((m) => m.span),
            `list ${list.id} on "${text}"`,
          ).toEqual(scanned(list, read.norm));
        }
      }),
      { numRuns: 400 },
    );
  });
});
