import { EventEmitter } from 'node:events';
import type { GuardlineError } from '../../src/errors/index.ts';

/** A word with times in seconds on the call's audio timeline (monotonic across reconnects). */
export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
}

/** Everything a `DeepgramTranscriber` reports. Times `start`/`end` are seconds of call audio; `at` is epoch ms. */
export interface TranscriberEvents {
  transcript: {
    text: string;
    isFinal: boolean;
    speechFinal: boolean;
    /** The result answers a `finalize()` (or the close). */
    fromFinalize: boolean;
    confidence: number;
    start: number;
    end: number;
    words: TranscriptWord[];
  };
  speech_started: { at: number; timestamp: number };
  utterance_end: { at: number; lastWordEnd: number };
  /** The connection dropped unexpectedly; reconnecting. */
  disconnected: { at: number; code: number; reason: string };
  /** Transcription has been down longer than `lostGraceMs`: fail closed. */
  lost: { at: number; since: number };
  /** Transcription is back after a `lost`. */
  restored: { at: number; downtimeMs: number };
  /** A new connection is open after a drop (whether or not `lost` was emitted). */
  reconnected: { at: number; downtimeMs: number; attempts: number };
  /** Deepgram's Metadata (sent after CloseStream or before an idle close). */
  metadata: { at: number; requestId: string; durationSec: number };
  error: { at: number; error: GuardlineError };
  /** `close()` finished. */
  closed: { at: number };
}

export type TranscriberEventName = keyof TranscriberEvents;

/** A small typed wrapper around EventEmitter. */
export class TypedEmitter<Events extends object> {
  private readonly emitter = new EventEmitter();

  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    this.emitter.once(event, listener);
    return this;
  }

  protected emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    // EventEmitter throws an unheard 'error'; the transcriber reports errors, it never throws them.
    if (event === 'error' && this.emitter.listenerCount('error') === 0) return;
    this.emitter.emit(event, payload);
  }
}
