import { z } from 'zod';
import { GuardlineError } from '../../src/errors/index.ts';

/**
 * Configuration of one `DeepgramTranscriber`. Defaults suit a Twilio call (μ-law, 8 kHz, mono).
 * `baseUrl` points the SDK at another server (the loopback fake in tests and the demo).
 */
export const DeepgramTranscriberConfig = z.object({
  apiKey: z.string().min(1),
  /** e.g. `wss://api.deepgram.com` (the SDK default when unset) or `ws://127.0.0.1:PORT`. */
  baseUrl: z
    .string()
    .regex(/^(wss?|https?):\/\//, 'must be a ws(s):// or http(s):// URL')
    .optional(),
  model: z.string().min(1).default('nova-3'),
  language: z.string().min(1).default('en-US'),
  encoding: z.enum(['mulaw', 'alaw', 'linear16']).default('mulaw'),
  sampleRate: z.number().int().positive().default(8000),
  interimResults: z.boolean().default(true),
  /** Silence (ms) that ends speech (`speech_final`), or false to disable. */
  endpointingMs: z.union([z.number().int().min(0), z.literal(false)]).default(300),
  /** Gap (ms) after the last word that sends `UtteranceEnd` (needs interim results), or null. */
  utteranceEndMs: z.number().int().positive().nullable().default(1000),
  vadEvents: z.boolean().default(true),
  punctuate: z.boolean().default(true),
  smartFormat: z.boolean().default(true),
  /**
   * Audio goes to Deepgram in messages of about this many milliseconds (Deepgram recommends 20–250):
   * Twilio's 20 ms frames are gathered, and what is held goes out at the latest this long after its
   * first frame arrived, at a Finalize, and at the end. 0 sends every chunk as it arrives.
   */
  sendChunkMs: z.number().int().min(0).max(250).default(100),
  /** Send KeepAlive when no audio went out for this long (Deepgram closes after 10 s). 0 disables. */
  keepAliveIntervalMs: z.number().int().min(0).default(4000),
  /** How long transcription may be down before `lost` is emitted (the policy's grace period). */
  lostGraceMs: z.number().int().min(0).default(2000),
  /** Audio kept while disconnected and replayed on reconnect; older audio is dropped and counted. */
  maxBufferedAudioMs: z.number().int().min(0).default(5000),
  reconnect: z
    .object({
      initialDelayMs: z.number().int().positive().default(250),
      maxDelayMs: z.number().int().positive().default(5000),
      factor: z.number().min(1).default(2),
      /** Fraction of each delay that is randomised (0 = none, 1 = full jitter). */
      jitter: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  connectTimeoutMs: z.number().int().positive().default(5000),
  /** How long `close()` waits for Deepgram's final messages after CloseStream. */
  closeTimeoutMs: z.number().int().positive().default(2000),
});
export type DeepgramTranscriberConfig = z.infer<typeof DeepgramTranscriberConfig>;
export type DeepgramTranscriberConfigInput = z.input<typeof DeepgramTranscriberConfig>;

export const BYTES_PER_SAMPLE = { mulaw: 1, alaw: 1, linear16: 2 } as const;

export function parseTranscriberConfig(input: DeepgramTranscriberConfigInput): DeepgramTranscriberConfig {
  const parsed = DeepgramTranscriberConfig.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    throw new GuardlineError(
      'GL_CONFIG_INVALID',
      `Transcriber: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`,
      { issues },
    );
  }
  return parsed.data;
}

/** The `listen.v1.connect` query options for a config (strings, as Deepgram's query expects). */
export function listenQuery(config: DeepgramTranscriberConfig): Record<string, string> {
  return {
    model: config.model,
    language: config.language,
    encoding: config.encoding,
    sample_rate: String(config.sampleRate),
    channels: '1',
    interim_results: String(config.interimResults),
    endpointing: String(config.endpointingMs),
    ...(config.utteranceEndMs === null ? {} : { utterance_end_ms: String(config.utteranceEndMs) }),
    vad_events: String(config.vadEvents),
    punctuate: String(config.punctuate),
    smart_format: String(config.smartFormat),
  };
}
