import type { RateLimitPolicy } from './rate-limit.ts';

/**
 * Switchable faults. Each rule matches requests by method and path and fires `times` times.
 * - `rate_limit`: a 429 with HubSpot's body for the policy (nothing applied);
 * - `status`: a 5xx with HubSpot's error body (nothing applied);
 * - `slow`: the write is applied (when `apply`), and the answer comes `ms` later, past the client's timeout;
 * - `reset`: the connection is destroyed without an answer, before or after the write is applied.
 */
export type Fault =
  | { kind: 'rate_limit'; policy: RateLimitPolicy }
  | { kind: 'status'; status: 500 | 502 | 503 | 504 }
  | { kind: 'slow'; ms: number; apply: boolean }
  | { kind: 'reset'; apply: boolean };

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

interface FaultRule {
  fault: Fault;
  match: FaultMatch;
  remaining: number;
}

export class FaultPlan {
  private readonly rules: FaultRule[] = [];
  /** Every fault that fired, in order. */
  readonly fired: { fault: Fault; method: string; path: string }[] = [];

  add(fault: Fault, match: FaultMatch = {}, times = 1): void {
    this.rules.push({ fault, match, remaining: times });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The fault for this request, consuming one firing of the first matching rule. */
  take(method: string, path: string): Fault | null {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.match.method === undefined || r.match.method === method) &&
        (r.match.path === undefined || r.match.path.test(path)),
    );
    if (!rule) return null;
    rule.remaining--;
    this.fired.push({ fault: rule.fault, method, path });
    return rule.fault;
  }
}
