import { z } from 'zod';

/**
 * Twilio Media Streams WebSocket messages, as documented at
 * https://www.twilio.com/docs/voice/media-streams/websocket-messages.
 * Twilio sends numbers that count (sequenceNumber, chunk, timestamp) as decimal strings; the
 * schemas check they are digits and keep them as strings so nothing is lost in re-serialisation.
 */

/** The patterns and bounds below are shared with the hand-checked `media` fast path (media-frame.ts). */
export const DIGITS_PATTERN = /^\d{1,15}$/;
export const SID_MAX_LENGTH = 64;
/** Base64 as Twilio sends it (standard alphabet, padded). */
export const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;
const Digits = z.string().regex(DIGITS_PATTERN, 'must be a decimal number in a string');
const Sid = z.string().min(1).max(SID_MAX_LENGTH);
const Base64 = z.string().regex(BASE64_PATTERN, 'must be base64');

// --- from Twilio --------------------------------------------------------------------------------

export const TwilioConnected = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});
export type TwilioConnected = z.infer<typeof TwilioConnected>;

export const TwilioMediaFormat = z.object({
  encoding: z.string(),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
});
export type TwilioMediaFormat = z.infer<typeof TwilioMediaFormat>;

export const TwilioStart = z.object({
  event: z.literal('start'),
  sequenceNumber: Digits,
  streamSid: Sid,
  start: z.object({
    streamSid: Sid,
    accountSid: Sid,
    callSid: Sid,
    /** `inbound`, `outbound`: which tracks the following `media` messages carry. */
    tracks: z.array(z.enum(['inbound', 'outbound'])).min(1),
    /** The `<Parameter>` name/value pairs set on `<Stream>`. */
    customParameters: z.record(z.string(), z.string()).default({}),
    mediaFormat: TwilioMediaFormat,
  }),
});
export type TwilioStart = z.infer<typeof TwilioStart>;

export const TwilioInboundMedia = z.object({
  event: z.literal('media'),
  sequenceNumber: Digits,
  streamSid: Sid,
  media: z.object({
    track: z.enum(['inbound', 'outbound']),
    /** Chunk number, from 1. */
    chunk: Digits,
    /** Milliseconds since the stream started. */
    timestamp: Digits,
    /** Base64 audio/x-mulaw 8000 Hz mono (160 bytes per 20 ms chunk). */
    payload: Base64,
  }),
});
export type TwilioInboundMedia = z.infer<typeof TwilioInboundMedia>;

export const TwilioDtmf = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: Digits,
  streamSid: Sid,
  dtmf: z.object({
    track: z.literal('inbound_track'),
    digit: z.string().regex(/^[0-9*#A-Da-d]$/, 'must be one DTMF digit'),
  }),
});
export type TwilioDtmf = z.infer<typeof TwilioDtmf>;

/** Twilio's echo of a mark Guardline (or the agent) sent, once the audio before it has played. */
export const TwilioInboundMark = z.object({
  event: z.literal('mark'),
  sequenceNumber: Digits,
  streamSid: Sid,
  mark: z.object({ name: z.string().min(1).max(256) }),
});
export type TwilioInboundMark = z.infer<typeof TwilioInboundMark>;

export const TwilioStop = z.object({
  event: z.literal('stop'),
  sequenceNumber: Digits,
  streamSid: Sid,
  stop: z.object({ accountSid: Sid, callSid: Sid }),
});
export type TwilioStop = z.infer<typeof TwilioStop>;

export const TwilioInboundMessage = z.discriminatedUnion('event', [
  TwilioConnected,
  TwilioStart,
  TwilioInboundMedia,
  TwilioDtmf,
  TwilioInboundMark,
  TwilioStop,
]);
export type TwilioInboundMessage = z.infer<typeof TwilioInboundMessage>;
export type TwilioInboundEvent = TwilioInboundMessage['event'];
export const TWILIO_INBOUND_EVENTS: readonly TwilioInboundEvent[] = [
  'connected',
  'start',
  'media',
  'dtmf',
  'mark',
  'stop',
];

// --- to Twilio (bidirectional streams only) -------------------------------------------------------

export const TwilioOutboundMedia = z.object({
  event: z.literal('media'),
  streamSid: Sid,
  media: z.object({ payload: Base64 }),
});
export type TwilioOutboundMedia = z.infer<typeof TwilioOutboundMedia>;

export const TwilioOutboundMark = z.object({
  event: z.literal('mark'),
  streamSid: Sid,
  mark: z.object({ name: z.string().min(1).max(256) }),
});
export type TwilioOutboundMark = z.infer<typeof TwilioOutboundMark>;

/** Discards the audio Twilio has buffered for playback (cuts the agent off). */
export const TwilioClear = z.object({
  event: z.literal('clear'),
  streamSid: Sid,
});
export type TwilioClear = z.infer<typeof TwilioClear>;

export const TwilioOutboundMessage = z.discriminatedUnion('event', [
  TwilioOutboundMedia,
  TwilioOutboundMark,
  TwilioClear,
]);
export type TwilioOutboundMessage = z.infer<typeof TwilioOutboundMessage>;

/** Twilio's only Media Streams format: μ-law, 8 kHz, mono. */
export const TWILIO_MEDIA_FORMAT = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } as const;
/** One Twilio frame: 20 ms of 8 kHz μ-law = 160 bytes. */
export const TWILIO_FRAME_BYTES = 160;
export const TWILIO_FRAME_MS = 20;
