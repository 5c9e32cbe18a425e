import { z } from 'zod';
import type { TranscriberEvents } from './events.ts';

/** The parts of Deepgram's live messages Guardline reads, validated at the boundary. */
const Word = z.object({ word: z.string(), start: z.number(), end: z.number(), confidence: z.number() });
const Results = z.object({
  type: z.literal('Results'),
  start: z.number(),
  duration: z.number(),
  is_final: z.boolean().optional(),
  speech_final: z.boolean().optional(),
  from_finalize: z.boolean().optional(),
  channel: z.object({
    alternatives: z.array(z.object({ transcript: z.string(), confidence: z.number(), words: z.array(Word) })),
  }),
});
const SpeechStarted = z.object({ type: z.literal('SpeechStarted'), timestamp: z.number() });
const UtteranceEnd = z.object({ type: z.literal('UtteranceEnd'), last_word_end: z.number() });
const Metadata = z.object({ type: z.literal('Metadata'), request_id: z.string(), duration: z.number() });
const ListenMessage = z.discriminatedUnion('type', [Results, SpeechStarted, UtteranceEnd, Metadata]);

export type ParsedListenMessage =
  | { type: 'transcript'; event: TranscriberEvents['transcript'] }
  | { type: 'speech_started'; timestamp: number }
  | { type: 'utterance_end'; lastWordEnd: number }
  | { type: 'metadata'; requestId: string; durationSec: number };

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * Parses one message from the SDK and shifts its times by `offsetSec` (the call audio sent before
 * this connection) so they are on the call's timeline. Unknown or malformed messages give null.
 */
export function parseListenMessage(raw: unknown, offsetSec: number): ParsedListenMessage | null {
  const parsed = ListenMessage.safeParse(raw);
  if (!parsed.success) return null;
  const message = parsed.data;
  const at = (seconds: number) => round(seconds + offsetSec);
  switch (message.type) {
    case 'Results': {
      const best = message.channel.alternatives[0];
      return {
        type: 'transcript',
        event: {
          text: best?.transcript ?? '',
          isFinal: message.is_final ?? false,
          speechFinal: message.speech_final ?? false,
          fromFinalize: message.from_finalize ?? false,
          confidence: best?.confidence ?? 0,
          start: at(message.start),
          end: at(message.start + message.duration),
          words: (best?.words ?? []).map((word) => ({
            word: word.word,
            start: at(word.start),
            end: at(word.end),
            confidence: word.confidence,
          })),
        },
      };
    }
    case 'SpeechStarted':
      return { type: 'speech_started', timestamp: at(message.timestamp) };
    case 'UtteranceEnd':
      return { type: 'utterance_end', lastWordEnd: at(message.last_word_end) };
    case 'Metadata':
      return { type: 'metadata', requestId: message.request_id, durationSec: message.duration };
  }
}
