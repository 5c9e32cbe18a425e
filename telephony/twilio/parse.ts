import type { z } from 'zod';
import { GuardlineError } from '../../src/errors/index.ts';
import { checkMediaFrame } from './media-frame.ts';
import {
  TWILIO_INBOUND_EVENTS,
  TWILIO_MEDIA_FORMAT,
  type TwilioInboundEvent,
  TwilioInboundMessage,
  type TwilioMediaFormat,
  type TwilioOutboundMessage,
  TwilioOutboundMessage as TwilioOutboundMessageSchema,
} from './messages.ts';

/** Largest text frame accepted. A 20 ms media message is ~350 bytes; `start` with parameters a few KB. */
export const MAX_TWILIO_MESSAGE_BYTES = 64 * 1024;

export type TwilioParseResult = { ok: true; message: TwilioInboundMessage } | { ok: false; error: GuardlineError };

function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
}

/**
 * Parses one WebSocket frame from Twilio into a typed message. Never throws: a bad frame gives a
 * typed `GL_TWILIO_*` error (too large, not JSON, unknown event, or not matching its schema) that
 * the caller reports and otherwise ignores. A well-formed `media` frame skips the schema (see
 * checkMediaFrame); any other frame, or a `media` frame the fast path does not accept, goes through it.
 */
export function parseTwilioMessage(raw: string | Buffer): TwilioParseResult {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_TWILIO_MESSAGE_BYTES) {
    return {
      ok: false,
      error: new GuardlineError('GL_TWILIO_MESSAGE_TOO_LARGE', `${size} bytes > ${MAX_TWILIO_MESSAGE_BYTES}.`, {
        size,
      }),
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, error: new GuardlineError('GL_TWILIO_MESSAGE_INVALID', 'The frame is not JSON.') };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, error: new GuardlineError('GL_TWILIO_MESSAGE_INVALID', 'The frame is not a JSON object.') };
  }
  const event = (json as { event?: unknown }).event;
  if (event === 'media') {
    const media = checkMediaFrame(json as Record<string, unknown>);
    if (media) return { ok: true, message: media };
  }
  if (typeof event !== 'string' || !TWILIO_INBOUND_EVENTS.includes(event as TwilioInboundEvent)) {
    const shown = typeof event === 'string' ? JSON.stringify(event.slice(0, 40)) : 'missing';
    return {
      ok: false,
      error: new GuardlineError('GL_TWILIO_MESSAGE_UNKNOWN', `Event ${shown}.`, {
        event: typeof event === 'string' ? event.slice(0, 40) : null,
      }),
    };
  }
  const parsed = TwilioInboundMessage.safeParse(json);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const first = issues[0];
    return {
      ok: false,
      error: new GuardlineError(
        'GL_TWILIO_MESSAGE_INVALID',
        `In "${event}": ${first ? `${first.path}: ${first.message}` : 'schema mismatch'}.`,
        { event, issues },
      ),
    };
  }
  return { ok: true, message: parsed.data };
}

/** Checks a `start` message's media format is the μ-law 8 kHz mono Guardline transcribes. */
export function checkTwilioMediaFormat(format: TwilioMediaFormat): GuardlineError | null {
  const expected = TWILIO_MEDIA_FORMAT;
  if (
    format.encoding === expected.encoding &&
    format.sampleRate === expected.sampleRate &&
    format.channels === expected.channels
  ) {
    return null;
  }
  return new GuardlineError(
    'GL_TWILIO_MEDIA_FORMAT_UNSUPPORTED',
    `Got ${format.encoding} ${format.sampleRate} Hz × ${format.channels}.`,
    { mediaFormat: format },
  );
}

/** Decodes a `media` payload into μ-law bytes. */
export function decodeTwilioPayload(payload: string): Buffer {
  return Buffer.from(payload, 'base64');
}

/** Serialises a message to Twilio after checking it against its schema (throws on a programming error). */
export function serializeTwilioMessage(message: TwilioOutboundMessage): string {
  return JSON.stringify(TwilioOutboundMessageSchema.parse(message));
}

/** `clear`: Twilio drops the audio it has buffered for playback (cuts the agent's speech). */
export function twilioClear(streamSid: string): string {
  return serializeTwilioMessage({ event: 'clear', streamSid });
}

/** `mark`: Twilio echoes it back once the audio sent before it has finished playing. */
export function twilioMark(streamSid: string, name: string): string {
  return serializeTwilioMessage({ event: 'mark', streamSid, mark: { name } });
}

/** `media`: μ-law audio to play to the caller. */
export function twilioMedia(streamSid: string, mulaw: Buffer): string {
  return serializeTwilioMessage({ event: 'media', streamSid, media: { payload: mulaw.toString('base64') } });
}
