import { z } from 'zod';
import { parseRateLimitHeaders, parseRetryAfter, type RateLimitHeaders } from './rate-limit-headers.ts';

export type RateLimitPolicy = 'DAILY' | 'TEN_SECONDLY_ROLLING' | 'SECONDLY';

/**
 * What a failed HubSpot call means for the write:
 * - `rate_limited`: retry after the window the policy implies (never counts as a failed attempt);
 * - `transient`: 5xx — HubSpot did not apply it as far as we know; back off and retry;
 * - `unknown_outcome`: timeout or connection reset — the write may or may not have been applied;
 * - `permanent`: any other 4xx — park it with HubSpot's message for a human.
 */
export type HubspotFailure =
  | {
      kind: 'rate_limited';
      policy: RateLimitPolicy | null;
      retryAfterMs: number;
      message: string;
      correlationId?: string;
    }
  | { kind: 'transient'; status: number; message: string; correlationId?: string }
  | { kind: 'unknown_outcome'; reason: 'timeout' | 'connection'; message: string }
  | { kind: 'permanent'; status: number; category?: string; message: string; correlationId?: string };

/** An error thrown by the gateway, carrying its classification and the rate-limit headers seen. */
export class HubspotCallError extends Error {
  constructor(
    readonly failure: HubspotFailure,
    readonly rateLimit: RateLimitHeaders | null = null,
  ) {
    super(failure.message);
    this.name = 'HubspotCallError';
  }
}

const ErrorBody = z
  .object({
    status: z.string().optional(),
    message: z.string().optional(),
    errorType: z.string().optional(),
    policyName: z.string().optional(),
    category: z.string().optional(),
    correlationId: z.string().optional(),
  })
  .loose();

/** How long each policy's window is; a 429 waits it out (DAILY: an hour, then probe again). */
export const POLICY_WAIT_MS: Record<RateLimitPolicy, number> = {
  SECONDLY: 1_000,
  TEN_SECONDLY_ROLLING: 10_000,
  DAILY: 60 * 60 * 1000,
};

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Classifies a non-2xx HubSpot answer from its raw status, headers and body. */
export function classifyResponse(res: RawResponse, now: number): HubspotFailure {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  const body = ErrorBody.safeParse(json);
  const b = body.success ? body.data : {};
  const message = b.message ?? (res.text.slice(0, 200) || `HTTP ${res.status}`);
  const correlationId = b.correlationId ?? res.headers['x-hubspot-correlation-id'];
  const cid = correlationId ? { correlationId } : {};
  if (res.status === 429) {
    const policy = (['DAILY', 'TEN_SECONDLY_ROLLING', 'SECONDLY'] as const).find((p) => p === b.policyName) ?? null;
    const header = parseRetryAfter(res.headers, now);
    const retryAfterMs = header ?? (policy ? POLICY_WAIT_MS[policy] : POLICY_WAIT_MS.TEN_SECONDLY_ROLLING);
    return { kind: 'rate_limited', policy, retryAfterMs, message, ...cid };
  }
  if (res.status >= 500 || res.status === 0) return { kind: 'transient', status: res.status, message, ...cid };
  return {
    kind: 'permanent',
    status: res.status,
    message,
    ...(b.category ? { category: b.category } : {}),
    ...cid,
  };
}

/** Socket errors that prove the request never left: safe to retry like a 5xx. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Classifies a call that never produced an HTTP answer (timeout, reset, refused). */
export function classifyNetworkError(error: unknown, timedOut: boolean): HubspotFailure {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (!timedOut && typeof code === 'string' && NEVER_SENT.has(code)) {
    return { kind: 'transient', status: 0, message: `could not connect: ${message}` };
  }
  if (timedOut) return { kind: 'unknown_outcome', reason: 'timeout', message: `request timed out: ${message}` };
  return { kind: 'unknown_outcome', reason: 'connection', message: `connection failed: ${message}` };
}

export function rateLimitOf(res: RawResponse): RateLimitHeaders | null {
  return parseRateLimitHeaders(res.headers);
}
