import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  metadataMessage,
  resultsMessage,
  speechStartedMessage,
  utteranceEndMessage,
  wordsFor,
} from '../fakes/deepgram/messages.ts';

/** Real Deepgram messages with their sources and licences (SOURCE.md), copied from ../shared/fixtures so the repository stands alone. */
const FIXTURES = new URL('../fixtures/deepgram/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** The shape of a JSON value: key paths (in order) and value types. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length > 0 ? [shape(value[0])] : [];
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([key, inner]) => [key, shape(inner)]);
  }
  return typeof value;
}

describe('fake Deepgram messages match the recorded real ones', () => {
  it('Results: same keys in the same wire order, same types', () => {
    const words = wordsFor('Tell me more about this.', 6.07, 7.27, 0.99);
    const fake = resultsMessage({
      start: 5.99,
      duration: 1.98,
      isFinal: true,
      speechFinal: true,
      fromFinalize: false,
      words,
      confidence: 0.99,
      requestId: 'r',
    });
    expect(shape(fake)).toEqual(shape(fixture('results.json')));
    expect((fake as { channel: { alternatives: { transcript: string }[] } }).channel.alternatives[0]?.transcript).toBe(
      'Tell me more about this.',
    );
  });

  it('SpeechStarted, UtteranceEnd and Metadata', () => {
    expect(shape(speechStartedMessage(9.54))).toEqual(shape(fixture('speech_started.json')));
    expect(shape(utteranceEndMessage(2.395))).toEqual(shape(fixture('utterance_end.json')));
    const empty = metadataMessage({
      requestId: 'r',
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      created: new Date().toISOString(),
      duration: 0,
      channels: 0,
    });
    expect(shape(empty)).toEqual(shape(fixture('metadata.json')));
  });
});
