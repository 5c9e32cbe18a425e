/**
 * The phrase book (`policies/phrases.yaml`): its schema, loading it, and compiling it once into the
 * regular expressions the analyzers use.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { WordTable } from './dict.ts';
import { ANY_FOLLOWER, firstWordFollowers } from './followers.ts';
import {
  compileList,
  compilePhrase,
  NUMBER_FIRST_WORDS,
  NUMBER_KEY,
  type PhraseList,
  PhraseSyntaxError,
} from './phrase-syntax.ts';

export const DEFAULT_PHRASES_PATH = new URL('../../policies/phrases.yaml', import.meta.url);

const phrase = z
  .string()
  .min(1)
  .max(2000)
  .superRefine((value, ctx) => {
    try {
      compilePhrase(value);
    } catch (e) {
      if (!(e instanceof PhraseSyntaxError)) throw e;
      ctx.addIssue({ code: 'custom', message: e.message });
    }
  });
const list = z.array(phrase).min(1);

export const PhraseBookSchema = z.strictObject({
  version: z.literal(1),
  negation: z.strictObject({ before: list, after: list, limits: list }),
  clauseBreaks: list,
  hypothetical: list,
  concessions: z.strictObject({
    offerCues: list,
    offCues: list,
    notOfferCues: list,
    countNouns: list,
    priceCues: list,
    freeCues: list,
    fees: list,
    waiveVerbs: list,
    priceWords: list,
    priceMatch: list,
  }),
  commitments: z.strictObject({ guarantee: list, contractTerm: list, dateVerbs: list, dateWords: list, hedges: list }),
  customer: z.strictObject({
    optOut: list,
    optOutKeywords: list,
    optOutKeywordFillers: list,
    notOptOut: list,
    consentGranted: list,
    consentDeclined: list,
    shortYes: list,
    shortNo: list,
    fillers: list,
    asksIfAI: list,
    notAsksIfAI: list,
  }),
  agent: z.strictObject({
    deniesBeingAI: list,
    notDenial: list,
    disclosesAI: list,
    disclosesRecording: list,
    pressure: list,
    notPressure: list,
  }),
});

export type PhraseBook = z.infer<typeof PhraseBookSchema>;

type Lists<T> = { [K in keyof T]: T[K] extends string[] ? PhraseList : T[K] extends object ? Lists<T[K]> : never };

/** Where lists can start: at a token with one key, in list id order. */
export interface StartEntry {
  lists: number[];
  /** Per list: the first characters its next word can have there (see followers.ts). */
  follow: number[];
}

/** The phrase book with every list compiled to one global regular expression. */
export type CompiledPhrases = Omit<Lists<Omit<PhraseBook, 'version'>>, 'customer'> & {
  /**
   * Token key -> the lists a match could start at that token; for a word a number can start
   * with ("twenty", "a"), the lists that begin with a number (`NUMBER_KEY`) too.
   */
  startIndex: WordTable<StartEntry>;
  /** Ids of lists that may start at any token (they begin with a number). */
  startAnywhere: readonly number[];
  listCount: number;
  customer: Lists<PhraseBook['customer']> & {
    /** Whole-message opt-out: fillers and keywords only, e.g. "STOP", "stop please". */
    keywordOnly: RegExp;
    /** Whole-utterance short consent answers. */
    shortYesOnly: RegExp;
    shortNoOnly: RegExp;
  };
};

/** Validates a parsed phrase book; throws GL_PHRASES_INVALID listing each bad entry by path. */
export function parsePhraseBook(data: unknown, source = 'phrase book'): PhraseBook {
  const result = PhraseBookSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new GuardlineError('GL_PHRASES_INVALID', `${source}: ${problems.join('; ')}`, { problems });
}

/** Reads and validates a phrase book file (default: the bundled `policies/phrases.yaml`). */
export function loadPhraseBook(path: string | URL = DEFAULT_PHRASES_PATH): PhraseBook {
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new GuardlineError(
      'GL_PHRASES_INVALID',
      `${String(path)} could not be read as YAML: ${(e as Error).message}`,
    );
  }
  return parsePhraseBook(data, String(path));
}

/** Compiles every list of `tree`, adding each to `all` and its phrases to `sources`, by id. */
function compileTree<T extends object>(tree: T, all: PhraseList[], sources: string[][]): Lists<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    if (Array.isArray(value)) {
      const list = compileList(value as string[], all.length);
      all.push(list);
      sources.push(value as string[]);
      out[key] = list;
    } else if (value && typeof value === 'object') out[key] = compileTree(value, all, sources);
  }
  return out as Lists<T>;
}

function wholeUtterance(items: readonly string[], fillers: readonly string[]): RegExp {
  const item = items.map(compilePhrase).join('|');
  const filler = fillers.map(compilePhrase).join('|');
  const unit = `(?:${item}|${filler})`;
  const edge = "[^\\p{L}\\p{N}']{0,8}";
  return new RegExp(`^${edge}(?:${filler}${edge}){0,4}(?:${item})(?:${edge}${unit}){0,6}${edge}$`, 'u');
}

/** Token key -> the lists a match can start at such a token, with what can follow there. */
function buildStartIndex(all: readonly PhraseList[], sources: readonly string[][]): Map<string, StartEntry> {
  const index = new Map<string, StartEntry>();
  const add = (key: string, id: number, follow: number): void => {
    const entry = index.get(key) ?? { lists: [], follow: [] };
    const at = entry.lists.indexOf(id);
    if (at >= 0) entry.follow[at] = ANY_FOLLOWER;
    else {
      entry.lists.push(id);
      entry.follow.push(follow);
    }
    index.set(key, entry);
  };
  for (const list of all) {
    const followers = firstWordFollowers(sources[list.id] ?? []);
    for (const word of list.first ?? []) add(word, list.id, followers?.get(word) ?? ANY_FOLLOWER);
  }
  // A number word also starts the lists that begin with a number: one lookup per word token.
  const numberLists = index.get(NUMBER_KEY)?.lists ?? [];
  for (const word of NUMBER_FIRST_WORDS) {
    for (const id of numberLists) add(word, id, ANY_FOLLOWER);
    const entry = index.get(word);
    if (entry) index.set(word, byListId(entry));
  }
  return index;
}

function byListId(entry: StartEntry): StartEntry {
  const order = entry.lists.map((_, i) => i).sort((a, b) => (entry.lists[a] as number) - (entry.lists[b] as number));
  return { lists: order.map((i) => entry.lists[i] as number), follow: order.map((i) => entry.follow[i] as number) };
}

const compiledCache = new WeakMap<PhraseBook, CompiledPhrases>();

/** Compiles a phrase book once (cached per object). */
export function compilePhraseBook(book: PhraseBook): CompiledPhrases {
  const cached = compiledCache.get(book);
  if (cached) return cached;
  const { version: _version, ...rest } = book;
  const all: PhraseList[] = [];
  const sources: string[][] = [];
  const lists = compileTree(rest, all, sources);
  const startIndex = new WordTable(buildStartIndex(all, sources));
  const c = book.customer;
  const compiled: CompiledPhrases = {
    ...lists,
    startIndex,
    startAnywhere: all.filter((l) => l.first === null).map((l) => l.id),
    listCount: all.length,
    customer: {
      ...lists.customer,
      keywordOnly: wholeUtterance(c.optOutKeywords, c.optOutKeywordFillers),
      shortYesOnly: wholeUtterance(c.shortYes, c.fillers),
      shortNoOnly: wholeUtterance(c.shortNo, c.fillers),
    },
  };
  compiledCache.set(book, compiled);
  return compiled;
}

let bundled: PhraseBook | undefined;
/** The bundled phrase book, loaded and validated once. */
export function defaultPhraseBook(): PhraseBook {
  bundled ??= loadPhraseBook();
  return bundled;
}
