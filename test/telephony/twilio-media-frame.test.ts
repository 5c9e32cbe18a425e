import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkMediaFrame } from '../../telephony/twilio/media-frame.ts';
import { TwilioInboundMedia } from '../../telephony/twilio/messages.ts';
import { parseTwilioMessage } from '../../telephony/twilio/parse.ts';

const frame = (media: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
  event: 'media',
  sequenceNumber: '12',
  streamSid: 'MZ0123456789abcdef',
  media: {
    track: 'inbound',
    chunk: '11',
    timestamp: '200',
    payload: Buffer.alloc(160, 0xff).toString('base64'),
    ...media,
  },
  ...top,
});

/** Values near the edges of what each field accepts, and things of the wrong type. */
const field = fc.oneof(
  fc.constantFrom('inbound', 'outbound', 'inbound_track', '', '0', '123456789012345', '1234567890123456', '-1', '1.5'),
  fc.constantFrom(
    '1\n',
    ' 1',
    '١٢',
    'AAAA',
    'AA==',
    'A===',
    'AA=A',
    '-_-_',
    'a b',
    '=',
    'x'.repeat(64),
    'x'.repeat(65),
  ),
  fc.string({ maxLength: 70 }),
  fc.stringMatching(/^[A-Za-z0-9+/=\-_ ]{0,12}$/),
  fc.integer(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);
/** A valid frame with one to three of its fields (or an extra one) replaced. */
const mutated = fc
  .array(
    fc.tuple(
      fc.constantFrom('track', 'chunk', 'timestamp', 'payload', 'sequenceNumber', 'streamSid', 'media', 'extra'),
      field,
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((changes) => {
    const f: Record<string, unknown> = frame();
    for (const [key, shared] of changes) {
      const value = structuredClone(shared);
      if (['track', 'chunk', 'timestamp', 'payload'].includes(key) && typeof f.media === 'object' && f.media)
        (f.media as Record<string, unknown>)[key] = value;
      else f[key] = value;
    }
    return f;
  });

describe('the hand-checked media fast path', () => {
  it('takes the frames Twilio sends (else it speeds nothing up) and returns what the schema would', () => {
    for (const f of [frame(), frame({ track: 'outbound' }), frame({}, { extra: 1 }), frame({ payload: '' })]) {
      const fast = checkMediaFrame(f);
      expect(fast).not.toBeNull();
      expect(fast).toEqual(TwilioInboundMedia.parse(f));
    }
  });

  it('never accepts what the schema rejects, and agrees with it on what it accepts (mutated frames)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutated, (f) => {
        const fast = checkMediaFrame(f);
        const zod = TwilioInboundMedia.safeParse(f);
        if (fast !== null) {
          accepted += 1;
          expect(zod.success).toBe(true);
          expect(fast).toEqual(zod.data);
        }
        // Through the parser, a frame gets the schema's own answer either way.
        const parsed = parseTwilioMessage(JSON.stringify(f));
        expect(parsed.ok).toBe(zod.success);
        if (!parsed.ok) expect(parsed.error.code).toBe('GL_TWILIO_MESSAGE_INVALID');
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('rejects a bad frame with the schema error, naming the field', () => {
    const parsed = parseTwilioMessage(JSON.stringify(frame({ payload: 'ab-_' })));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe('GL_TWILIO_MESSAGE_INVALID');
      expect(parsed.error.message).toContain('media.payload: must be base64');
    }
  });
});
