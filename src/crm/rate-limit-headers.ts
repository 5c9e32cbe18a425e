import { z } from 'zod';

/** HubSpot's `X-HubSpot-RateLimit-*` response headers, as far as a response carried them. */
export interface RateLimitHeaders {
  /** Requests allowed in the rolling interval (`-Max`) and how many are left (`-Remaining`). */
  max?: number;
  remaining?: number;
  intervalMs?: number;
  daily?: number;
  dailyRemaining?: number;
  secondly?: number;
  secondlyRemaining?: number;
}

const Count = z.coerce.number().int().nonnegative();

const NAMES: Record<keyof RateLimitHeaders, string> = {
  max: 'x-hubspot-ratelimit-max',
  remaining: 'x-hubspot-ratelimit-remaining',
  intervalMs: 'x-hubspot-ratelimit-interval-milliseconds',
  daily: 'x-hubspot-ratelimit-daily',
  dailyRemaining: 'x-hubspot-ratelimit-daily-remaining',
  secondly: 'x-hubspot-ratelimit-secondly',
  secondlyRemaining: 'x-hubspot-ratelimit-secondly-remaining',
};

/** Reads the rate-limit headers (any case); unparseable values are ignored. Null when none is present. */
export function parseRateLimitHeaders(headers: Record<string, string | undefined>): RateLimitHeaders | null {
  const lower: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
  const out: RateLimitHeaders = {};
  let any = false;
  for (const [key, name] of Object.entries(NAMES) as [keyof RateLimitHeaders, string][]) {
    const parsed = Count.safeParse(lower[name]);
    if (lower[name] !== undefined && parsed.success) {
      out[key] = parsed.data;
      any = true;
    }
  }
  return any ? out : null;
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or null. */
export function parseRetryAfter(headers: Record<string, string | undefined>, now: number): number | null {
  const raw = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (raw === undefined) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
