import { describe, expect, it } from 'vitest';
import { GuardlineError } from '../errors/index.ts';
import { hubSpotIdentityFromUrl, signedRequestUri, verifyHubSpotRequest } from './identity.ts';
import { computeHubSpotSignatureV3 } from './signature.ts';

const NOW = 1_800_000_000_000;
const URL_SIGNED =
  'https://guardline.example.com/v1/hubspot/sessions?objectType=contact&objectId=51&userId=7&userEmail=rep%40acme.com&appId=3&portalId=9';

function signedHeaders(method: string, url: string, body: string, secret = 'app-secret') {
  const timestamp = String(NOW - 2_000);
  return {
    'X-HubSpot-Signature-v3': computeHubSpotSignatureV3({ method, uri: url, body, timestamp }, secret),
    'X-HubSpot-Request-Timestamp': timestamp,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GuardlineError ? err.code : 'not a GuardlineError';
  }
  return undefined;
}

describe('verifyHubSpotRequest', () => {
  it('returns the identity HubSpot appended when the signature holds', () => {
    const headers = signedHeaders('GET', URL_SIGNED, '');
    expect(verifyHubSpotRequest({ method: 'GET', url: URL_SIGNED, headers, rawBody: '' }, 'app-secret', NOW)).toEqual({
      userId: '7',
      portalId: '9',
      userEmail: 'rep@acme.com',
      appId: '3',
    });
  });

  it('refuses unsigned, altered and stale requests with GL_AUTH_SIGNATURE', () => {
    const headers = signedHeaders('POST', URL_SIGNED, '{"reason":"ok"}');
    const request = { method: 'POST', url: URL_SIGNED, headers, rawBody: '{"reason":"ok"}' };
    expect(codeOf(() => verifyHubSpotRequest({ ...request, headers: {} }, 'app-secret', NOW))).toBe(
      'GL_AUTH_SIGNATURE',
    );
    expect(codeOf(() => verifyHubSpotRequest({ ...request, rawBody: '{"reason":"ok!"}' }, 'app-secret', NOW))).toBe(
      'GL_AUTH_SIGNATURE',
    );
    expect(
      codeOf(() =>
        verifyHubSpotRequest({ ...request, url: URL_SIGNED.replace('userId=7', 'userId=8') }, 'app-secret', NOW),
      ),
    ).toBe('GL_AUTH_SIGNATURE');
    expect(codeOf(() => verifyHubSpotRequest(request, 'app-secret', NOW + 6 * 60_000))).toBe('GL_AUTH_SIGNATURE');
    expect(codeOf(() => verifyHubSpotRequest(request, 'other-secret', NOW))).toBe('GL_AUTH_SIGNATURE');
    expect(verifyHubSpotRequest(request, 'app-secret', NOW).userId).toBe('7');
  });

  it('refuses a signed request without a HubSpot identity or with a repeated one', () => {
    const bare = 'https://guardline.example.com/v1/hubspot/policy';
    expect(
      codeOf(() =>
        verifyHubSpotRequest(
          { method: 'GET', url: bare, headers: signedHeaders('GET', bare, ''), rawBody: '' },
          'app-secret',
          NOW,
        ),
      ),
    ).toBe('GL_AUTH_SIGNATURE');
    const doubled = `${bare}?userId=1&userId=7&portalId=9`;
    expect(codeOf(() => hubSpotIdentityFromUrl(doubled))).toBe('GL_AUTH_SIGNATURE');
  });
});

describe('signedRequestUri', () => {
  it('joins the public base URL and the raw path without re-encoding', () => {
    expect(signedRequestUri('https://g.example.com/', '/v1/hubspot/sessions?userEmail=a%40b.com')).toBe(
      'https://g.example.com/v1/hubspot/sessions?userEmail=a%40b.com',
    );
    expect(signedRequestUri('https://g.example.com', 'v1/x')).toBe('https://g.example.com/v1/x');
  });
});
