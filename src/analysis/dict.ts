/** A lookup table without a prototype, so words such as "constructor" or "__proto__" are not in it. */
export function dict<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

/**
 * A cheap test that rules most words out before a table lookup: the first letters and lengths
 * of the table's keys. Looking up every token of an utterance in several tables was a large part
 * of analysis time; most tokens fail on their first letter or length here.
 */
export class WordFilter {
  private readonly firstCodes = new Set<number>();
  /** Bit n set when some key has length n (keys longer than 31 are never ruled out by length). */
  private lengths = 0;
  private anyLong = false;

  constructor(...tables: Record<string, unknown>[]) {
    for (const table of tables) {
      for (const key of Object.keys(table)) {
        this.firstCodes.add(key.charCodeAt(0));
        if (key.length > 31) this.anyLong = true;
        else this.lengths |= 1 << key.length;
      }
    }
  }

  /** False when `w` is certainly not a key of the tables. */
  mayHave(w: string): boolean {
    const lengthOk = w.length > 31 ? this.anyLong : (this.lengths & (1 << w.length)) !== 0;
    return lengthOk && this.firstCodes.has(w.charCodeAt(0));
  }
}
