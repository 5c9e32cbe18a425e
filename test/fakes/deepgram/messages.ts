/**
 * Deepgram live (`/v1/listen`) server messages, shaped field for field (and in wire key order)
 * after the real messages in test/fixtures/deepgram (see SOURCE.md there): Results,
 * SpeechStarted, UtteranceEnd, Metadata.
 */

export interface DeepgramWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  punctuated_word: string;
}

export interface ModelInfo {
  name: string;
  version: string;
  arch: string;
}

/** What the fake reports as its model (the fixtures' values). */
export const FAKE_MODEL_INFO: ModelInfo = { name: '2-general-nova', version: '2024-01-18.26916', arch: 'nova-3' };
export const FAKE_MODEL_UUID = 'c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c';

/** Deepgram's close reason for NET-0001 (no audio or text message within the timeout window). */
export const NET_0001_REASON =
  'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001';

/** Deepgram rounds times to float32-ish precision; the fake rounds to milliseconds. */
function seconds(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Splits `text` into words spread evenly over [start, end] seconds. */
export function wordsFor(text: string, start: number, end: number, confidence: number): DeepgramWord[] {
  const tokens = text.split(/\s+/).filter((token) => token.length > 0);
  const step = tokens.length > 0 ? (end - start) / tokens.length : 0;
  return tokens.map((token, i) => ({
    word: token.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ''),
    start: seconds(start + i * step),
    end: seconds(start + (i + 1) * step),
    confidence,
    punctuated_word: token,
  }));
}

export interface ResultsInput {
  start: number;
  duration: number;
  isFinal: boolean;
  speechFinal: boolean;
  fromFinalize: boolean;
  words: DeepgramWord[];
  confidence: number;
  requestId: string;
}

export function resultsMessage(input: ResultsInput): object {
  return {
    type: 'Results',
    channel_index: [0, 1],
    duration: seconds(input.duration),
    start: seconds(input.start),
    is_final: input.isFinal,
    speech_final: input.speechFinal,
    channel: {
      alternatives: [
        {
          transcript: input.words.map((word) => word.punctuated_word).join(' '),
          confidence: input.words.length > 0 ? input.confidence : 0,
          words: input.words,
        },
      ],
    },
    metadata: { request_id: input.requestId, model_info: FAKE_MODEL_INFO, model_uuid: FAKE_MODEL_UUID },
    from_finalize: input.fromFinalize,
  };
}

export function speechStartedMessage(timestamp: number): object {
  return { type: 'SpeechStarted', channel: [0, 1], timestamp: seconds(timestamp) };
}

export function utteranceEndMessage(lastWordEnd: number): object {
  return { channel: [0, 1], last_word_end: seconds(lastWordEnd), type: 'UtteranceEnd' };
}

export function metadataMessage(input: {
  requestId: string;
  sha256: string;
  created: string;
  duration: number;
  channels: number;
}): object {
  return {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: input.requestId,
    sha256: input.sha256,
    created: input.created,
    duration: seconds(input.duration),
    channels: input.channels,
  };
}
