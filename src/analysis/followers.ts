/**
 * What can follow a phrase list's first word: for each first word, the first characters the next
 * word of a match can have ("i" in "i (guarantee|promise|swear)" is followed by g, p or s). Most
 * tokens that could start a list are followed by a word that cannot continue it ("i think"), so
 * checking the next token's first character rules them out before the sticky regex is tried.
 *
 * This holds only where tokens are exactly the regex's words: the first token of ASCII letters,
 * digits and apostrophes, shorter than the tokenizer's cut, and the next one starting 1–6 code
 * points later with a letter, digit or apostrophe. Anywhere else (see `nextWordBit`) nothing is
 * ruled out, so the regex alone still decides every match.
 */
import { type Item, parsePhrase, placed, tokenKey } from './phrase-syntax.ts';
import type { Token } from './text.ts';

/** Anything may follow (or the match may end after the first word): nothing is ruled out. */
export const ANY_FOLLOWER = -1;
/** Longest run of separator characters the phrase syntax's SEP accepts between two words. */
const MAX_SEP = 6;
/** Tokens this long may have been cut by the tokenizer. */
const MAX_WHOLE_TOKEN = 63;

/** One bit per first character: a–z, any digit, apostrophe; ANY_FOLLOWER for anything else. */
function charBit(code: number): number {
  if (code >= 97 && code <= 122) return 1 << (code - 97);
  if (code >= 48 && code <= 57) return 1 << 26;
  return code === 39 ? 1 << 27 : ANY_FOLLOWER;
}

/**
 * For token `k`, made of ASCII letters, digits and apostrophes only: the bit of the character the
 * next word of a match would start with, 0 when no next word can follow (no next token, or too
 * much between), ANY_FOLLOWER when tokens cannot tell (also when token `k` may have been cut by
 * the tokenizer, so is not one whole regex word).
 */
export function nextWordBit(tokens: readonly Token[], norm: string, k: number): number {
  const token = tokens[k] as Token;
  if (token.w.length > MAX_WHOLE_TOKEN) return ANY_FOLLOWER;
  const next = tokens[k + 1];
  if (!next) return 0;
  const gap = next.start - token.end;
  if (gap > MAX_SEP) {
    // Longer in code units, but a surrogate pair is one code point to the regex.
    for (let i = token.end; i < next.start; i++) {
      const c = norm.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdfff) return ANY_FOLLOWER;
    }
    return 0;
  }
  return charBit(next.w.charCodeAt(0));
}

/**
 * For one list: first word (token key) -> bits of the characters its next word can start with,
 * or ANY_FOLLOWER. Null when a match can begin with something other than a word (a number, a
 * word with "." or "&"): then nothing is ruled out for the list.
 */
export function firstWordFollowers(phrases: readonly string[]): Map<string, number> | null {
  const followers = new Map<string, number>();
  for (const phrase of phrases) {
    const items = parsePhrase(phrase);
    if (!everyOptionMatchesSomething(items)) return null;
    const graph: Node[] = [];
    emitSequence(items, graph);
    graph.push({ kind: END });
    for (const at of reachable(graph, 0)) {
      const node = graph[at] as Node;
      if (node.kind !== WORD) return null;
      const after = followerBits(graph, at + 1);
      for (const spelling of node.single) add(followers, tokenKey(spelling), after);
      // A hyphenated word spread over tokens continues with its own second part.
      for (const head of node.spreadHeads) add(followers, tokenKey(head), ANY_FOLLOWER);
    }
  }
  return followers;
}

function add(followers: Map<string, number>, key: string, bits: number): void {
  const known = followers.get(key) ?? 0;
  followers.set(key, known === ANY_FOLLOWER || bits === ANY_FOLLOWER ? ANY_FOLLOWER : known | bits);
}

/**
 * A group option that can match nothing puts two separators side by side in the regex, where
 * characters, not tokens, decide.
 */
function everyOptionMatchesSomething(items: readonly Item[]): boolean {
  for (const item of items) {
    if (item.kind !== 'group') continue;
    for (const option of item.options) {
      if (!option.some((i) => i.kind !== 'gap' && !i.optional)) return false;
      if (!everyOptionMatchesSomething(option)) return false;
    }
  }
  return true;
}

/**
 * A phrase as a graph over words: WORD takes one word (`single` spellings, or a hyphenated word
 * spread over tokens starting with one of `spreadHeads`; `chars` are the bits of the first
 * characters it can start with), OTHER anything tokens cannot tell (a number, a "..." gap, a word
 * with "." or "&"), FORK goes on at any of `next`, END ends the match.
 */
const WORD = 0;
const OTHER = 1;
const FORK = 2;
const END = 3;

interface Fork {
  kind: typeof FORK;
  next: number[];
}
type Node =
  | { kind: typeof WORD; single: readonly string[]; spreadHeads: readonly string[]; chars: number }
  | { kind: typeof OTHER }
  | Fork
  | { kind: typeof END };

function fork(next: number[] = []): Fork {
  return { kind: FORK, next };
}

/** Where phrase-syntax.ts puts separators and gaps (`placed`), as graph nodes. */
function emitSequence(items: readonly Item[], graph: Node[]): void {
  for (const { item, started, gap } of placed(items)) {
    const skip = item.optional ? fork([graph.length + 1]) : null;
    if (skip) graph.push(skip);
    if (started && gap) graph.push({ kind: OTHER });
    emitItem(item, graph);
    skip?.next.push(graph.length);
  }
}

function emitItem(item: Exclude<Item, { kind: 'gap' }>, graph: Node[]): void {
  if (item.kind === 'number') graph.push({ kind: OTHER });
  else if (item.kind === 'word') graph.push(wordNode(item.raw));
  else {
    const options = fork();
    graph.push(options);
    const ends: Fork[] = [];
    for (const option of item.options) {
      options.next.push(graph.length);
      emitSequence(option, graph);
      const end = fork();
      ends.push(end);
      graph.push(end);
    }
    for (const end of ends) end.next.push(graph.length);
  }
}

/** A phrase word: its spellings as tokens (apostrophes optional, a hyphen a space or nothing). */
function wordNode(raw: string): Node {
  if (!/^[a-z0-9']/.test(raw) || /[.&]/.test(raw)) return { kind: OTHER };
  // A "%" must stand right after a letter or digit, inside one token: no plain spelling.
  if (raw.includes('%')) return { kind: WORD, single: [], spreadHeads: [], chars: charBit(raw.charCodeAt(0)) };
  const parts = raw.split('-');
  if (parts.some((part) => !/[a-z0-9]/.test(part))) return { kind: OTHER };
  const single: string[] = [];
  const spreadHeads: string[] = [];
  let chars = 0;
  for (const grouping of groupings(parts.map(apostropheForms))) {
    const first = grouping[0] as string;
    (grouping.length === 1 ? single : spreadHeads).push(first);
    chars |= charBit(first.charCodeAt(0));
  }
  return { kind: WORD, single, spreadHeads, chars };
}

/** "don't" -> ["don't", "dont"]. */
function apostropheForms(part: string): string[] {
  let forms = [''];
  for (const ch of part) forms = ch === "'" ? forms.flatMap((f) => [`${f}'`, f]) : forms.map((f) => f + ch);
  return [...new Set(forms)];
}

/** Every way to write the hyphenated parts as tokens: each hyphen a token break or nothing. */
function groupings(parts: readonly string[][]): string[][] {
  let out: string[][] = (parts[0] as string[]).map((f) => [f]);
  for (const forms of parts.slice(1)) {
    const next: string[][] = [];
    for (const g of out) {
      for (const f of forms) {
        next.push([...g.slice(0, -1), (g.at(-1) as string) + f]);
        next.push([...g, f]);
      }
    }
    out = next;
  }
  return out;
}

/** The nodes that take the next word (or end the match) from node `at`, every FORK followed. */
function reachable(graph: readonly Node[], at: number): number[] {
  const out: number[] = [];
  const pending = [at];
  const seen = new Set<number>();
  while (pending.length > 0) {
    const i = pending.pop() as number;
    if (seen.has(i)) continue;
    seen.add(i);
    const node = graph[i] as Node;
    if (node.kind === FORK) pending.push(...node.next);
    else out.push(i);
  }
  return out;
}

/** The bits of the characters the next word can start with from node `at`, or ANY_FOLLOWER. */
function followerBits(graph: readonly Node[], at: number): number {
  let bits = 0;
  for (const i of reachable(graph, at)) {
    const node = graph[i] as Node;
    if (node.kind !== WORD) return ANY_FOLLOWER;
    bits |= node.chars;
  }
  return bits;
}
