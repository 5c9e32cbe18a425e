import type { DeepgramTranscriber } from '../../telephony/deepgram/transcriber.ts';
import type { LiveSession } from './live-session.ts';
import type { Metrics } from './metrics.ts';

export interface AudioFormatSpec {
  encoding: 'mulaw' | 'linear16';
  sampleRate: number;
}

/** Makes a transcriber for one call's customer audio; null when no transcription service is configured. */
export type TranscriberFactory = (format: AudioFormatSpec) => DeepgramTranscriber;

/**
 * Feeds a transcriber's results into its session: final customer transcripts become `transcript`
 * inputs; a dropped connection becomes `transcription_lost` at once (the session's policy grace
 * period decides when proposals are held) and a reconnection `transcription_restored`. Returns
 * the function that sends audio; `close()` stops it.
 */
export function bridgeTranscriber(
  session: LiveSession,
  transcriber: DeepgramTranscriber,
  metrics: Metrics,
  audioStartedAt: number,
  now: () => number,
): { send(chunk: Buffer): boolean; close(): Promise<void> } {
  let lost = false;
  const submit = (input: Parameters<LiveSession['submit']>[0]) => {
    session.submit(input).catch((e) => session.logger.error({ err: e }, 'transcription input failed'));
  };
  const markLost = () => {
    if (lost || session.ended) return;
    lost = true;
    submit({ type: 'event', event: 'transcription_lost' });
  };
  transcriber.on('transcript', (t) => {
    if (!t.isFinal || t.text.trim() === '') return;
    metrics.transcriptionLag.observe(Math.max(0, now() - (audioStartedAt + t.end * 1000)) / 1000);
    submit({ type: 'transcript', speaker: 'customer', text: t.text, isFinal: true, confidence: t.confidence });
  });
  transcriber.on('disconnected', markLost);
  transcriber.on('lost', markLost);
  const restore = () => {
    if (!lost || session.ended) return;
    lost = false;
    submit({ type: 'event', event: 'transcription_restored' });
  };
  transcriber.on('reconnected', restore);
  transcriber.on('restored', restore);
  transcriber.on('error', ({ error }) => session.logger.warn({ code: error.code }, 'transcription error'));
  transcriber.start().catch((e: { code?: string }) => {
    session.logger.error({ code: e.code }, 'transcription could not start; failing closed');
    markLost();
  });
  return {
    send: (chunk) => transcriber.sendAudio(chunk),
    close: () => transcriber.close(),
  };
}
