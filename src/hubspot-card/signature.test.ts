import { Signature } from '@hubspot/api-client';
import { describe, expect, it } from 'vitest';
import {
  computeHubSpotSignatureV3,
  HUBSPOT_SIGNATURE_MAX_AGE_MS,
  normalizeHubSpotUri,
  verifyHubSpotSignatureV3,
} from './signature.ts';

/**
 * Known-answer vectors published in HubSpot's own SDK test suites (hubspot-api-python
 * tests/spec/utils/test_signature.py and hubspot-api-ruby spec/helpers/signature_spec.rb).
 * The body is the SDKs' literal string, single quotes included.
 */
const SDK_VECTORS = [
  {
    name: 'hubspot-api-python v3 vector',
    timestamp: '1693657560000',
    signature: 'K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=',
  },
  {
    name: 'hubspot-api-ruby v3 vector',
    timestamp: '1700000300000',
    signature: 'RnbPH7+UMKVkbV32P8bz450N4M56aPmcru1+D3kSDtw=',
  },
] as const;
const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URI = 'https://www.example.com/webhook_uri';
const BODY = "{'example_field':'example_value'}";

describe('verifyHubSpotSignatureV3 against HubSpot SDK vectors', () => {
  for (const vector of SDK_VECTORS) {
    const base = {
      method: 'POST',
      uri: URI,
      body: BODY,
      timestamp: vector.timestamp,
      signature: vector.signature,
      clientSecret: SECRET,
      now: Number(vector.timestamp) + 1_000,
    };

    it(`accepts the ${vector.name}`, () => {
      expect(
        computeHubSpotSignatureV3({ method: 'POST', uri: URI, body: BODY, timestamp: vector.timestamp }, SECRET),
      ).toBe(vector.signature);
      expect(verifyHubSpotSignatureV3(base)).toEqual({ ok: true });
    });

    it(`refuses the ${vector.name} once anything is altered`, () => {
      const altered = [
        { body: BODY.replace('example_value', 'example_valuf') },
        { uri: `${URI}/` },
        { uri: URI.replace('https', 'http') },
        { method: 'GET' },
        { timestamp: String(Number(vector.timestamp) + 1) },
        { clientSecret: `${SECRET}x` },
        { signature: vector.signature.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) },
      ];
      for (const change of altered) {
        expect(verifyHubSpotSignatureV3({ ...base, ...change }), JSON.stringify(change)).toEqual({
          ok: false,
          reason: 'mismatch',
        });
      }
    });
  }

  it('agrees with the official @hubspot/api-client on a signed hubspot.fetch URL', () => {
    const uri = 'https://guardline.example.com/v1/hubspot/sessions?objectType=deal&objectId=42&userId=7&portalId=9';
    const timestamp = Date.now();
    const official = Signature.getSignature('GET', 'v3', {
      signature: '',
      clientSecret: 'card-secret',
      requestBody: '',
      url: uri,
      timestamp,
    });
    expect(
      computeHubSpotSignatureV3({ method: 'GET', uri, body: '', timestamp: String(timestamp) }, 'card-secret'),
    ).toBe(official);
  });
});

describe('verifyHubSpotSignatureV3 freshness and headers', () => {
  const timestamp = 1_800_000_000_000;
  const signed = {
    method: 'POST',
    uri: 'https://guardline.example.com/v1/hubspot/approvals/a1/approve?userId=7&portalId=9',
    body: '{"reason":"fine"}',
    timestamp: String(timestamp),
    clientSecret: 's3cret',
  };
  const signature = computeHubSpotSignatureV3(signed, 's3cret');

  it('accepts up to exactly five minutes either side, refuses beyond', () => {
    const at = (now: number) => verifyHubSpotSignatureV3({ ...signed, signature, now });
    expect(at(timestamp + HUBSPOT_SIGNATURE_MAX_AGE_MS)).toEqual({ ok: true });
    expect(at(timestamp - HUBSPOT_SIGNATURE_MAX_AGE_MS)).toEqual({ ok: true });
    expect(at(timestamp + HUBSPOT_SIGNATURE_MAX_AGE_MS + 1)).toEqual({ ok: false, reason: 'stale' });
    expect(at(timestamp - HUBSPOT_SIGNATURE_MAX_AGE_MS - 1)).toEqual({ ok: false, reason: 'stale' });
  });

  it('names what is missing or malformed', () => {
    const now = timestamp;
    expect(verifyHubSpotSignatureV3({ ...signed, signature: undefined, now })).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(verifyHubSpotSignatureV3({ ...signed, signature, timestamp: undefined, now })).toEqual({
      ok: false,
      reason: 'missing_timestamp',
    });
    expect(verifyHubSpotSignatureV3({ ...signed, signature, timestamp: '18e11', now })).toEqual({
      ok: false,
      reason: 'malformed_timestamp',
    });
    expect(verifyHubSpotSignatureV3({ ...signed, signature: `${signature}AA`, now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyHubSpotSignatureV3({ ...signed, signature: 'not base64 at all!', now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });
});

describe('normalizeHubSpotUri', () => {
  it('decodes exactly the characters HubSpot lists, in either case, and nothing else', () => {
    expect(normalizeHubSpotUri('https://x.io/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe(
      "https://x.io/a:b/c?d@e!f$g'h(i)j*k,l;m",
    );
    expect(normalizeHubSpotUri('https://x.io/?e=a%40b.com&q=%2c')).toBe('https://x.io/?e=a@b.com&q=,');
    expect(normalizeHubSpotUri('https://x.io/?q=a%20b%26c%3Dd%25')).toBe('https://x.io/?q=a%20b%26c%3Dd%25');
  });

  it('makes an encoded and a decoded URI verify alike', () => {
    const timestamp = '1800000000000';
    const plain = { method: 'GET', uri: 'https://x.io/s?userEmail=rep@acme.com', body: '', timestamp };
    const signature = computeHubSpotSignatureV3(plain, 'k');
    const encoded = { ...plain, uri: 'https://x.io/s?userEmail=rep%40acme.com' };
    expect(verifyHubSpotSignatureV3({ ...encoded, signature, clientSecret: 'k', now: 1_800_000_000_000 })).toEqual({
      ok: true,
    });
  });
});
