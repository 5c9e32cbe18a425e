/** HubSpot's rate limits as the fake enforces them, per portal (access token). */

export type RateLimitPolicy = 'DAILY' | 'TEN_SECONDLY_ROLLING' | 'SECONDLY';

export interface FakeLimits {
  /** Burst limit: requests per rolling 10 s (HubSpot's default for private apps: 100). */
  per10s: number;
  /** Requests per day. */
  daily: number;
  /** Search API requests per second (search has its own limit and no rate-limit headers). */
  searchPerSecond: number;
}

export const DEFAULT_LIMITS: FakeLimits = { per10s: 100, daily: 250_000, searchPerSecond: 5 };

const MESSAGES: Record<RateLimitPolicy, string> = {
  DAILY: 'You have reached your daily limit.',
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  SECONDLY: 'You have reached your secondly limit.',
};

/** The body HubSpot answers a 429 with. */
export function rateLimitBody(policy: RateLimitPolicy, correlationId: string): Record<string, unknown> {
  return {
    status: 'error',
    message: MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId,
    policyName: policy,
    groupName: 'api-calls-quota',
  };
}

export class PortalRateLimiter {
  private readonly burst: number[] = [];
  private readonly search: number[] = [];
  private dailyCount = 0;

  constructor(private readonly limits: FakeLimits) {}

  /** Counts a request; returns the policy it breaks (the request is then rejected), or null. */
  admit(now: number, isSearch: boolean): RateLimitPolicy | null {
    prune(this.burst, now - 10_000);
    prune(this.search, now - 1_000);
    if (this.dailyCount >= this.limits.daily) return 'DAILY';
    if (isSearch) {
      if (this.search.length >= this.limits.searchPerSecond) return 'SECONDLY';
      this.search.push(now);
    } else {
      if (this.burst.length >= this.limits.per10s) return 'TEN_SECONDLY_ROLLING';
      this.burst.push(now);
    }
    this.dailyCount++;
    return null;
  }

  /** HubSpot's `X-HubSpot-RateLimit-*` headers after the current request. */
  headers(now: number): Record<string, string> {
    prune(this.burst, now - 10_000);
    const perSecond = Math.max(1, Math.floor(this.limits.per10s / 10));
    const lastSecond = this.burst.filter((t) => t > now - 1_000).length;
    return {
      'X-HubSpot-RateLimit-Daily': String(this.limits.daily),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.limits.daily - this.dailyCount)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': '10000',
      'X-HubSpot-RateLimit-Max': String(this.limits.per10s),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.limits.per10s - this.burst.length)),
      'X-HubSpot-RateLimit-Secondly': String(perSecond),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.max(0, perSecond - lastSecond)),
    };
  }
}

function prune(times: number[], before: number): void {
  while (times.length > 0 && (times[0] as number) <= before) times.shift();
}
