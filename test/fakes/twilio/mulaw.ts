/**
 * G.711 μ-law encoding, and generators of μ-law audio for fakes and benches: silence and tones.
 * 8 kHz mono, one byte per sample, so 20 ms = 160 bytes (one Twilio frame).
 */

export const MULAW_SAMPLE_RATE = 8000;
/** μ-law encodes a linear 0 as 0xFF. */
export const MULAW_SILENCE_BYTE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

/** Encodes one 16-bit linear PCM sample as a μ-law byte. */
export function linearToMulaw(sample: number): number {
  let value = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = value < 0 ? 0x80 : 0;
  if (value < 0) value = -value;
  if (value > CLIP) value = CLIP;
  value += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (value & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (value >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decodes one μ-law byte to a 16-bit linear PCM sample. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

function samplesFor(ms: number): number {
  return Math.round((ms * MULAW_SAMPLE_RATE) / 1000);
}

/** `ms` of μ-law silence. */
export function mulawSilence(ms: number): Buffer {
  return Buffer.alloc(samplesFor(ms), MULAW_SILENCE_BYTE);
}

/** `ms` of a sine tone at `frequencyHz`, amplitude 0..1 of full scale (default 0.3). */
export function mulawTone(ms: number, frequencyHz = 440, amplitude = 0.3): Buffer {
  const samples = samplesFor(ms);
  const out = Buffer.alloc(samples);
  for (let i = 0; i < samples; i++) {
    out[i] = linearToMulaw(amplitude * 32767 * Math.sin((2 * Math.PI * frequencyHz * i) / MULAW_SAMPLE_RATE));
  }
  return out;
}

/** Splits audio into frames of `frameBytes` (default 160 = 20 ms); a short tail is padded with silence. */
export function mulawFrames(audio: Buffer, frameBytes = 160): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < audio.length; offset += frameBytes) {
    const frame = Buffer.alloc(frameBytes, MULAW_SILENCE_BYTE);
    audio.copy(frame, 0, offset, Math.min(offset + frameBytes, audio.length));
    frames.push(frame);
  }
  return frames;
}
