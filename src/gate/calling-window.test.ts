import { describe, expect, it } from 'vitest';
import { localMinutes } from './calling-window.ts';

/** What Intl says directly, without the per-minute cache. */
function intlMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(at)
    .filter((p) => p.type === 'hour' || p.type === 'minute')
    .map((p) => Number(p.value));
  return (parts[0] as number) * 60 + (parts[1] as number);
}

describe('localMinutes', () => {
  it('follows the clock across a DST change, minute by minute, with several zones interleaved', () => {
    // US spring forward: 2026-03-08 07:00Z is 03:00 EDT (02:00 EST never happens in New York).
    const start = Date.parse('2026-03-08T06:55:00Z');
    const zones = ['America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    for (let at = start; at < start + 12 * 60_000; at += 17_000) {
      for (const zone of zones) expect(localMinutes(at, zone)).toBe(intlMinutes(at, zone));
    }
    expect(localMinutes(Date.parse('2026-03-08T06:59:59Z'), 'America/New_York')).toBe(1 * 60 + 59);
    expect(localMinutes(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(3 * 60);
  });

  it('knows an unknown zone as null, every time', () => {
    expect(localMinutes(0, 'Mars/Olympus_Mons')).toBeNull();
    expect(localMinutes(1, 'Mars/Olympus_Mons')).toBeNull();
  });
});
