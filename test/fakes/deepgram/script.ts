import { type DeepgramWord, resultsMessage, speechStartedMessage, utteranceEndMessage, wordsFor } from './messages.ts';

/**
 * One scripted utterance. Times are positions in the audio the connection has received, so the
 * transcript follows the audio however fast it is sent.
 */
export interface ScriptEntry {
  /** Where the speech starts in this connection's audio, in ms. */
  afterAudioMs: number;
  text: string;
  /** Default 0.98. */
  confidence?: number;
  /** Send an interim result halfway through (when `interim_results=true`). Default true. */
  interim?: boolean;
  /** Length of the speech in ms. Default 250 ms per word. */
  durationMs?: number;
}

/** The listen options that change what the fake sends. */
export interface ScriptOptions {
  interimResults: boolean;
  /** `endpointing` in ms, or false when `endpointing=false` (then no `speech_final: true`). Default 10. */
  endpointingMs: number | false;
  utteranceEndMs: number | null;
  vadEvents: boolean;
  requestId: string;
}

interface Pending {
  entry: ScriptEntry;
  start: number;
  end: number;
  words: DeepgramWord[];
  confidence: number;
  started: boolean;
  interimSent: boolean;
  finalSent: boolean;
  utteranceEndSent: boolean;
}

/** Turns a script into Deepgram messages as audio arrives on one connection. */
export class ScriptPlayer {
  /** End (s) of the audio already covered by a final result. */
  private cursor = 0;
  private readonly pending: Pending[];

  constructor(
    script: readonly ScriptEntry[],
    private readonly options: ScriptOptions,
  ) {
    this.pending = [...script]
      .sort((a, b) => a.afterAudioMs - b.afterAudioMs)
      .map((entry) => {
        const start = entry.afterAudioMs / 1000;
        const wordCount = entry.text.split(/\s+/).filter(Boolean).length;
        const end = start + (entry.durationMs ?? 250 * Math.max(1, wordCount)) / 1000;
        const confidence = entry.confidence ?? 0.98;
        return {
          entry,
          start,
          end,
          confidence,
          words: wordsFor(entry.text, start, end, confidence),
          started: false,
          interimSent: false,
          finalSent: false,
          utteranceEndSent: false,
        };
      });
  }

  /** Messages due now that the connection has received `audioSec` seconds of audio. */
  advance(audioSec: number): object[] {
    const out: object[] = [];
    const { interimResults, endpointingMs, utteranceEndMs, vadEvents } = this.options;
    for (const p of this.pending) {
      if (audioSec < p.start) break;
      if (!p.started) {
        p.started = true;
        if (vadEvents) out.push(speechStartedMessage(p.start));
      }
      const mid = (p.start + p.end) / 2;
      if (interimResults && (p.entry.interim ?? true) && !p.interimSent && !p.finalSent && audioSec >= mid) {
        p.interimSent = true;
        const words = p.words.filter((word, i) => i === 0 || word.end <= mid);
        out.push(this.results(words, p.confidence, audioSec, false, false, false));
      }
      const settle = p.end + (endpointingMs === false ? 0 : endpointingMs / 1000);
      if (!p.finalSent && audioSec >= settle) {
        p.finalSent = true;
        out.push(this.results(p.words, p.confidence, p.end, true, endpointingMs !== false, false));
      }
      if (
        interimResults &&
        utteranceEndMs !== null &&
        !p.utteranceEndSent &&
        audioSec >= p.end + utteranceEndMs / 1000
      ) {
        p.utteranceEndSent = true;
        const last = p.words[p.words.length - 1];
        out.push(utteranceEndMessage(last ? last.end : p.end));
      }
    }
    return out;
  }

  /**
   * `Finalize` (and `CloseStream`): flush the speech in progress as a final result with
   * `from_finalize: true` (an empty transcript when nothing is in progress).
   */
  finalize(audioSec: number): object {
    const inProgress = this.pending.find((p) => p.started && !p.finalSent);
    if (inProgress) {
      inProgress.finalSent = true;
      const words = inProgress.words.filter((word) => word.end <= audioSec);
      return this.results(words, inProgress.confidence, Math.max(audioSec, this.cursor), true, false, true);
    }
    return this.results([], 0, Math.max(audioSec, this.cursor), true, false, true);
  }

  /** Whether speech is in progress (started, not final yet). */
  hasSpeechInProgress(): boolean {
    return this.pending.some((p) => p.started && !p.finalSent);
  }

  private results(
    words: DeepgramWord[],
    confidence: number,
    until: number,
    isFinal: boolean,
    speechFinal: boolean,
    fromFinalize: boolean,
  ): object {
    const start = this.cursor;
    const message = resultsMessage({
      start,
      duration: Math.max(0, until - start),
      isFinal,
      speechFinal,
      fromFinalize,
      words,
      confidence,
      requestId: this.options.requestId,
    });
    if (isFinal) this.cursor = Math.max(this.cursor, until);
    return message;
  }
}
