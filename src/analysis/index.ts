/** Transcript analysis: utterances in, facts with evidence spans out. */
export { analyzeUtterance, emptyFacts } from './analyze.ts';
export { type CliFacts, toCliJson } from './cli-json.ts';
export {
  type CompiledPhrases,
  compilePhraseBook,
  DEFAULT_PHRASES_PATH,
  defaultPhraseBook,
  loadPhraseBook,
  type PhraseBook,
  PhraseBookSchema,
  parsePhraseBook,
} from './phrase-book.ts';
export { findPii, luhn, redactPii } from './pii.ts';
export type * from './types.ts';
