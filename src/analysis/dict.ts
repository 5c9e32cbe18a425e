/** A lookup table without a prototype, so words such as "constructor" or "__proto__" are not in it. */
export function dict<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}
