/**
 * How fast this machine is right now, so figures from different days can be told apart: the small
 * VMs benchmarks run on change speed from hour to hour (on 2026-11-22 the same code ran 3× slower
 * in the afternoon than in the morning). A run states it before and after its benchmarks.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * A fixed amount of plain work (integer arithmetic and SHA-256 of 1 KiB, the store's own kind of
 * work), timed: nanoseconds per iteration, the best of five tries after one to warm up.
 */
export function yardstickNanos(): number {
  const block = Buffer.alloc(1024, 7);
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let attempt = 0; attempt < 6; attempt++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20_000; i++) {
      for (let j = 0; j < 200; j++) sink = (sink + ((i * j) & 7)) | 0;
      sink ^= createHash('sha256').update(block).digest()[0] ?? 0;
    }
    if (attempt > 0) best = Math.min(best, Number(process.hrtime.bigint() - started) / 20_000);
  }
  if (sink === 0.5) console.log(sink); // keeps the loop from being optimised away
  return best;
}

/** The share of the last minute some task waited for a CPU (Linux PSI), or null where unknown. */
export function cpuPressurePercent(): number | null {
  try {
    const match = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
