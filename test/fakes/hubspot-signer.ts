/**
 * A fake of HubSpot's `hubspot.fetch` proxy: what HubSpot does between a UI extension card and the
 * app's backend. It appends the caller's identity to the query string (`userId`, `userEmail`, `appId`,
 * `portalId`), serialises the body as JSON, signs the request with the app's client secret the way
 * HubSpot's request-validation docs describe (v3: base64 HMAC-SHA256 of method + URI + body +
 * timestamp), enforces the 1 MB body and 15 s limits, retries once on a connection failure or a 5xx,
 * and sends the request with real `fetch` to a real server on 127.0.0.1.
 *
 * The signature is computed here independently of `src/hubspot-card` so a contract test that uses this
 * signer checks the backend against the documented algorithm, not against itself.
 */
import { createHmac } from 'node:crypto';

export const HUBSPOT_FETCH_MAX_BODY_BYTES = 1024 * 1024;
export const HUBSPOT_FETCH_MAX_TIMEOUT_MS = 15_000;

export interface HubSpotCaller {
  userId: number;
  portalId: number;
  userEmail?: string;
  appId?: number;
}

export interface SignInput {
  method: string;
  /** The full URL the backend will receive, query string included. */
  url: string;
  /** The exact body bytes sent, '' for none. */
  body: string;
  clientSecret: string;
  /** Epoch milliseconds. */
  timestamp: number;
}

// HubSpot's docs list these percent-encodings as decoded before hashing.
const DOCUMENTED_DECODINGS: [RegExp, string][] = [
  [/%3A/gi, ':'],
  [/%2F/gi, '/'],
  [/%3F/gi, '?'],
  [/%40/gi, '@'],
  [/%21/gi, '!'],
  [/%24/gi, '$'],
  [/%27/gi, "'"],
  [/%28/gi, '('],
  [/%29/gi, ')'],
  [/%2A/gi, '*'],
  [/%2C/gi, ','],
  [/%3B/gi, ';'],
];

/** The two headers HubSpot adds to a signed request. */
export function signHubSpotRequest(input: SignInput): Record<string, string> {
  const uri = DOCUMENTED_DECODINGS.reduce((acc, [pattern, value]) => acc.replace(pattern, value), input.url);
  const timestamp = String(input.timestamp);
  const signature = createHmac('sha256', input.clientSecret)
    .update(`${input.method.toUpperCase()}${uri}${input.body}${timestamp}`, 'utf8')
    .digest('base64');
  return { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': timestamp };
}

/** Appends the caller's identity the way HubSpot's proxy does. */
export function withHubSpotIdentity(url: string, caller: HubSpotCaller): string {
  const target = new URL(url);
  target.searchParams.append('userId', String(caller.userId));
  if (caller.userEmail !== undefined) target.searchParams.append('userEmail', caller.userEmail);
  if (caller.appId !== undefined) target.searchParams.append('appId', String(caller.appId));
  target.searchParams.append('portalId', String(caller.portalId));
  return target.toString();
}

export interface HubSpotFetchOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  timeout?: number;
  body?: Record<string, unknown>;
  headers?: unknown;
}

export interface ProxiedCall {
  method: string;
  url: string;
  body: string;
  status: number | 'network_error';
}

export interface HubSpotFetchProxy {
  /** Drop-in for `hubspot.fetch` in card tests. */
  fetch: (url: string | URL, options?: HubSpotFetchOptions) => Promise<Response>;
  /** Every request the proxy sent, retries included. */
  readonly calls: ProxiedCall[];
}

export interface ProxyOptions {
  clientSecret: string;
  caller: HubSpotCaller;
  /** The clock used for the timestamp header (a test may skew it to produce stale requests). */
  now?: () => number;
}

export function createHubSpotFetchProxy(options: ProxyOptions): HubSpotFetchProxy {
  const calls: ProxiedCall[] = [];
  const now = options.now ?? Date.now;

  async function send(method: string, url: string, body: string, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = {
      ...signHubSpotRequest({ method, url, body, clientSecret: options.clientSecret, timestamp: now() }),
      ...(body === '' ? {} : { 'Content-Type': 'application/json' }),
    };
    try {
      const response = await fetch(url, {
        method,
        headers,
        ...(body === '' ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      calls.push({ method, url, body, status: response.status });
      return response;
    } catch (error) {
      calls.push({ method, url, body, status: 'network_error' });
      throw error;
    }
  }

  return {
    calls,
    async fetch(resource, fetchOptions = {}) {
      if (fetchOptions.headers !== undefined) throw new TypeError('hubspot.fetch does not support custom headers');
      const method = fetchOptions.method ?? 'GET';
      const body = fetchOptions.body === undefined ? '' : JSON.stringify(fetchOptions.body);
      if (Buffer.byteLength(body) > HUBSPOT_FETCH_MAX_BODY_BYTES) throw new TypeError('hubspot.fetch body exceeds 1MB');
      const timeoutMs = Math.min(fetchOptions.timeout ?? HUBSPOT_FETCH_MAX_TIMEOUT_MS, HUBSPOT_FETCH_MAX_TIMEOUT_MS);
      const url = withHubSpotIdentity(String(resource), options.caller);
      let response: Response;
      try {
        response = await send(method, url, body, timeoutMs);
      } catch {
        return send(method, url, body, timeoutMs); // HubSpot retries once when the connection fails.
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        return send(method, url, body, timeoutMs); // …and once on a 5xx.
      }
      return response;
    },
  };
}
