import { describe, expect, it } from 'vitest';
import { PortalPacer } from './portal-pacer.ts';

/** A virtual clock: sleeping advances time instantly. */
function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('PortalPacer', () => {
  it('never lets more than limit × (1 − margin) requests into any rolling 10 s window', async () => {
    const c = clock();
    const pacer = new PortalPacer({ limit: 100, now: c.now, sleep: c.sleep });
    const times: number[] = [];
    for (let i = 0; i < 400; i++) {
      await pacer.acquire();
      times.push(c.now());
    }
    for (const start of times)
      expect(times.filter((t) => t >= start && t < start + 10_000).length).toBeLessThanOrEqual(90);
    expect(times.at(-1) as number).toBeLessThan((times[0] as number) + 50_000);
  });

  it('adopts the portal limit from X-HubSpot-RateLimit-Max and counts other apps from -Remaining', async () => {
    const c = clock();
    const pacer = new PortalPacer({ limit: 100, now: c.now, sleep: c.sleep });
    await pacer.acquire();
    pacer.observe({ max: 190, intervalMs: 10_000, remaining: 150 });
    expect(pacer.budget()).toBe(171);
    expect(pacer.inWindow()).toBe(40);
    const start = c.now();
    for (let i = 0; i < 131; i++) await pacer.acquire();
    expect(c.now()).toBe(start);
    await pacer.acquire();
    expect(c.now()).toBeGreaterThan(start);
  });

  it('pauses the portal after a 429 until the window has passed', async () => {
    const c = clock();
    const pacer = new PortalPacer({ limit: 100, now: c.now, sleep: c.sleep });
    const start = c.now();
    pacer.pauseUntil(start + 10_000);
    await pacer.acquire();
    expect(c.now()).toBe(start + 10_000);
  });
});
