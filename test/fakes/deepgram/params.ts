/**
 * The `/v1/listen` query parameters the fake understands, validated the way Deepgram rejects bad
 * requests (HTTP 400 before the upgrade). Only raw encodings are supported: the fake times its
 * script by counting audio bytes.
 */
export interface ListenParams {
  model: string;
  encoding: string;
  sampleRate: number;
  channels: number;
  bytesPerSample: number;
  interimResults: boolean;
  /** ms, or false for `endpointing=false`. Deepgram's default is 10 ms. */
  endpointingMs: number | false;
  utteranceEndMs: number | null;
  vadEvents: boolean;
  /** Every query parameter as sent. */
  raw: Record<string, string>;
}

const BYTES_PER_SAMPLE: Record<string, number> = { mulaw: 1, alaw: 1, linear16: 2, linear32: 4 };

function bool(value: string | null, name: string): boolean | string {
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  return `${name} must be true or false`;
}

export function parseListenParams(
  query: URLSearchParams,
): { ok: true; value: ListenParams } | { ok: false; error: string } {
  const raw = Object.fromEntries(query.entries());
  const encoding = query.get('encoding');
  if (encoding === null)
    return { ok: false, error: 'The fake needs a raw `encoding` (mulaw, alaw, linear16, linear32).' };
  const bytesPerSample = BYTES_PER_SAMPLE[encoding];
  if (bytesPerSample === undefined) return { ok: false, error: `Unsupported encoding ${encoding}.` };
  const sampleRate = Number(query.get('sample_rate'));
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    return { ok: false, error: 'sample_rate is required with a raw encoding.' };
  }
  const channels = query.get('channels') === null ? 1 : Number(query.get('channels'));
  if (!Number.isInteger(channels) || channels < 1) return { ok: false, error: 'channels must be a positive integer.' };
  const interim = bool(query.get('interim_results'), 'interim_results');
  const vad = bool(query.get('vad_events'), 'vad_events');
  if (typeof interim === 'string') return { ok: false, error: interim };
  if (typeof vad === 'string') return { ok: false, error: vad };
  const endpointingRaw = query.get('endpointing');
  let endpointingMs: number | false = 10;
  if (endpointingRaw === 'false') endpointingMs = false;
  else if (endpointingRaw !== null) {
    endpointingMs = Number(endpointingRaw);
    if (!Number.isInteger(endpointingMs) || endpointingMs < 0)
      return { ok: false, error: 'endpointing must be ms or false.' };
  }
  const utteranceRaw = query.get('utterance_end_ms');
  const utteranceEndMs = utteranceRaw === null ? null : Number(utteranceRaw);
  if (utteranceEndMs !== null && (!Number.isInteger(utteranceEndMs) || utteranceEndMs < 1)) {
    return { ok: false, error: 'utterance_end_ms must be a positive integer (ms).' };
  }
  return {
    ok: true,
    value: {
      model: query.get('model') ?? 'base',
      encoding,
      sampleRate,
      channels,
      bytesPerSample,
      interimResults: interim,
      endpointingMs,
      utteranceEndMs,
      vadEvents: vad,
      raw,
    },
  };
}
