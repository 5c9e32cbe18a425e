import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HubSpot's v3 request signature (`X-HubSpot-Signature-v3`), as HubSpot documents it for requests its
 * platform sends to an app's backend (webhooks, and `hubspot.fetch` from a UI extension):
 *
 *   signature = base64( HMAC-SHA256( key = app client secret,
 *                                    message = method + uri + body + timestamp ) )
 *
 * `uri` is the full URL HubSpot called (scheme, host, path, query) with the percent-encodings listed in
 * {@link HUBSPOT_URI_DECODINGS} decoded; `body` is the raw body exactly as received ('' when none);
 * `timestamp` is the `X-HubSpot-Request-Timestamp` header (epoch milliseconds) as sent. Requests older
 * than five minutes are rejected.
 */
export const HUBSPOT_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const HUBSPOT_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const HUBSPOT_SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

/** The percent-encodings HubSpot's docs say to decode in the request URI before hashing (no others). */
export const HUBSPOT_URI_DECODINGS: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

const DECODE_PATTERN = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/** Decodes exactly the percent-encodings in {@link HUBSPOT_URI_DECODINGS}; everything else stays as is. */
export function normalizeHubSpotUri(uri: string): string {
  return uri.replace(DECODE_PATTERN, (match) => HUBSPOT_URI_DECODINGS[match.toUpperCase()] ?? match);
}

export interface HubSpotSignatureSource {
  readonly method: string;
  /** The full URL as requested, e.g. `https://guardline.example.com/v1/hubspot/policy?userId=1&portalId=2`. */
  readonly uri: string;
  /** The raw request body as received (UTF-8), '' for none. */
  readonly body: string;
  /** The `X-HubSpot-Request-Timestamp` header value, exactly as sent. */
  readonly timestamp: string;
}

/** Computes the base64 v3 signature HubSpot would send for this request. */
export function computeHubSpotSignatureV3(source: HubSpotSignatureSource, clientSecret: string): string {
  const message = `${source.method.toUpperCase()}${normalizeHubSpotUri(source.uri)}${source.body}${source.timestamp}`;
  return createHmac('sha256', clientSecret).update(message, 'utf8').digest('base64');
}

export interface VerifySignatureInput extends Omit<HubSpotSignatureSource, 'timestamp'> {
  /** The timestamp header; `undefined` when the header is missing. */
  readonly timestamp: string | undefined;
  /** The signature header; `undefined` when the header is missing. */
  readonly signature: string | undefined;
  readonly clientSecret: string;
  /** Current time in epoch milliseconds (injected so the check is pure). */
  readonly now: number;
}

export type SignatureRejection =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'stale'
  | 'mismatch';

export type SignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: SignatureRejection };

const TIMESTAMP_PATTERN = /^\d{1,16}$/;

/**
 * Verifies a v3 signature. Pure: no clock, no I/O. The comparison is constant-time over the decoded
 * HMAC bytes. A timestamp more than five minutes in the past (HubSpot's rule) or in the future (our
 * hardening against clock games) is stale.
 */
export function verifyHubSpotSignatureV3(input: VerifySignatureInput): SignatureVerdict {
  if (!input.signature) return { ok: false, reason: 'missing_signature' };
  if (!input.timestamp) return { ok: false, reason: 'missing_timestamp' };
  if (!TIMESTAMP_PATTERN.test(input.timestamp)) return { ok: false, reason: 'malformed_timestamp' };
  const sentAt = Number(input.timestamp);
  if (Math.abs(input.now - sentAt) > HUBSPOT_SIGNATURE_MAX_AGE_MS) return { ok: false, reason: 'stale' };

  const expected = createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${normalizeHubSpotUri(input.uri)}${input.body}${input.timestamp}`, 'utf8')
    .digest();
  const given = Buffer.from(input.signature, 'base64');
  // Compare fixed-length digests so neither length nor content leaks through timing.
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  // Buffer.from(…, 'base64') ignores junk characters; require the canonical encoding as well.
  if (!same || given.toString('base64') !== input.signature) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
