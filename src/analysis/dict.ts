/**
 * A word table as a Map, so words such as "constructor" or "__proto__" are not in it, and a token
 * cut fresh from the text is looked up without first being interned (a plain object lookup
 * interns it, which costs several times a Map lookup).
 */
export function wordMap<T>(entries: Record<string, T>): ReadonlyMap<string, T> {
  return new Map(Object.entries(entries));
}

/**
 * A cheap test that rules most words out before a table lookup: the first letters and lengths
 * of the table's keys. Looking up every token of an utterance in several tables was a large part
 * of analysis time; most tokens fail on their first letter or length here.
 */
export class WordFilter {
  /** Bit c of word c >> 5 set when some key starts with ASCII code c: a load and a mask, not a set lookup. */
  private readonly asciiFirst = new Int32Array(4);
  /** First codes of keys that start outside ASCII. */
  private readonly otherFirst = new Set<number>();
  /** Bit n set when some key has length n (keys longer than 31 are never ruled out by length). */
  private lengths = 0;
  private anyLong = false;
  /**
   * Length, first and last character of each key, as one number. A word that passes the cheap
   * tests above is checked here before its table lookup: a Map lookup of a fresh token string
   * hashes the whole string first, this number lookup does not.
   */
  private readonly shapes = new Set<number>();

  constructor(keys: Iterable<string>) {
    for (const key of keys) {
      const c = key.charCodeAt(0);
      if (c < 128) this.asciiFirst[c >> 5] = (this.asciiFirst[c >> 5] as number) | (1 << (c & 31));
      else this.otherFirst.add(c);
      if (key.length > 31) this.anyLong = true;
      else this.lengths |= 1 << key.length;
      this.shapes.add(shape(key));
    }
  }

  /** False when `w` is certainly not one of the keys. */
  mayHave(w: string): boolean {
    const lengthOk = w.length > 31 ? this.anyLong : (this.lengths & (1 << w.length)) !== 0;
    if (!lengthOk) return false;
    const c = w.charCodeAt(0);
    const firstOk = c < 128 ? ((this.asciiFirst[c >> 5] as number) & (1 << (c & 31))) !== 0 : this.otherFirst.has(c);
    return firstOk && this.shapes.has(shape(w));
  }
}

function shape(w: string): number {
  return (Math.imul(Math.imul(w.length, 65599) + w.charCodeAt(0), 65599) + w.charCodeAt(w.length - 1)) | 0;
}

/**
 * A read-only string table for the one lookup per token that finds where phrases can start:
 * open addressing on `hashWord`, which the caller computes while it walks the token's characters
 * anyway. A Map first hashes each freshly cut token string itself, most of a lookup's cost.
 */
export class WordTable<T> {
  private readonly keys: (string | undefined)[];
  private readonly values: (T | undefined)[];
  private readonly mask: number;

  constructor(entries: Iterable<readonly [string, T]>) {
    const list = [...entries];
    let size = 16;
    while (size < list.length * 2) size *= 2;
    this.mask = size - 1;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.values = new Array<T | undefined>(size).fill(undefined);
    for (const [key, value] of list) {
      let i = hashWord(key) & this.mask;
      while (this.keys[i] !== undefined && this.keys[i] !== key) i = (i + 1) & this.mask;
      this.keys[i] = key;
      this.values[i] = value;
    }
  }

  /** The value of `key`; `hash` must be `hashWord(key)`. */
  get(key: string, hash: number = hashWord(key)): T | undefined {
    for (let i = hash & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i];
      if (k === key) return this.values[i];
      if (k === undefined) return undefined;
    }
  }
}

/** A word's hash with one more character. */
export function hashStep(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}

export function hashWord(word: string): number {
  let hash = 0;
  for (let i = 0; i < word.length; i++) hash = hashStep(hash, word.charCodeAt(i));
  return hash;
}
