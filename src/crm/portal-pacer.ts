import type { RateLimitHeaders } from './rate-limit-headers.ts';

export interface PacerOptions {
  /** Requests the portal allows per interval (HubSpot's default for private apps: 100 per 10 s). */
  limit: number;
  intervalMs?: number;
  /** Fraction of the limit Guardline leaves unused for other apps in the portal (default 0.1). */
  margin?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Paces Guardline's requests to one HubSpot portal with a sliding-window log, so that in any
 * rolling interval it sends at most `limit × (1 − margin)` requests. It adapts to what HubSpot
 * reports: `X-HubSpot-RateLimit-Max`/`-Interval-Milliseconds` replace the configured limit, a
 * `-Remaining` lower than Guardline's own usage explains counts the other apps' requests against
 * the window, and a 429 pauses the whole portal until the policy's window has passed.
 */
export class PortalPacer {
  private limit: number;
  private intervalMs: number;
  private readonly margin: number;
  private readonly sent: number[] = [];
  private pausedUntil = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PacerOptions) {
    this.limit = options.limit;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.margin = options.margin ?? 0.1;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
  }

  /** Requests Guardline may have in flight per interval. */
  budget(): number {
    return Math.max(1, Math.floor(this.limit * (1 - this.margin)));
  }

  /**
   * Waits until one more request fits in the window, then counts it. With `failIfPaused`, a portal
   * paused by a 429 throws `PortalPaused` instead of waiting the pause out (it can last an hour).
   */
  async acquire(options: { failIfPaused?: boolean } = {}): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        if (options.failIfPaused) throw new PortalPaused(this.pausedUntil);
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.prune(now);
      if (this.sent.length < this.budget()) {
        this.sent.push(now);
        return;
      }
      await this.sleep(Math.max(1, (this.sent[0] as number) + this.intervalMs - now + 1));
    }
  }

  /** Adapts to the rate-limit headers of a response. */
  observe(headers: RateLimitHeaders | null): void {
    if (!headers) return;
    if (headers.max !== undefined && headers.max > 0) this.limit = headers.max;
    if (headers.intervalMs !== undefined && headers.intervalMs > 0) this.intervalMs = headers.intervalMs;
    if (headers.remaining === undefined) return;
    const now = this.now();
    this.prune(now);
    const usedByPortal = this.limit - headers.remaining;
    const others = usedByPortal - this.sent.length;
    // Count the other apps' requests as if sent now: they leave the window no earlier than that.
    for (let i = 0; i < others; i++) this.sent.push(now);
  }

  /** After a 429: no request to this portal before `until`. */
  pauseUntil(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** When the pause after a 429 ends (not paused when it is not after now). */
  resumesAt(): number {
    return this.pausedUntil;
  }

  /** Requests counted in the current window (Guardline's and the other apps' it learned of). */
  inWindow(): number {
    this.prune(this.now());
    return this.sent.length;
  }

  private prune(now: number): void {
    while (this.sent.length > 0 && (this.sent[0] as number) <= now - this.intervalMs) this.sent.shift();
  }
}

/** The portal is paused by a 429 until `until`: nothing may be sent to it before. */
export class PortalPaused extends Error {
  constructor(readonly until: number) {
    super(`HubSpot portal paused after a 429 until ${new Date(until).toISOString()}`);
    this.name = 'PortalPaused';
  }
}
