/**
 * The shared shape of every benchmark. A file `bench/<name>.bench.ts` default-exports a `Bench`;
 * `npm run bench` runs them all, `npm run bench -- <name>` runs one.
 */
import { readFileSync } from 'node:fs';

export interface BenchResult {
  name: string;
  metric: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "<= 50". */
  target?: string;
  meets?: boolean;
  /** A baseline measured in the same run, and value / baseline. */
  baseline?: number;
  ratio?: number;
}

export interface Bench {
  name: string;
  description: string;
  run(): Promise<BenchResult[]>;
}

/** Bytes a process (default: this one) has caused to be written to storage so far, from /proc (null where unknown). */
export function bytesWritten(pid: number | 'self' = 'self'): number | null {
  try {
    const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Percentile (0..100) of an unsorted sample, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A result checked against an upper bound. */
export function atMost(result: Omit<BenchResult, 'target' | 'meets'>, limit: number): BenchResult {
  return { ...result, target: `<= ${limit}`, meets: result.value <= limit };
}

/** A result checked against a lower bound. */
export function atLeast(result: Omit<BenchResult, 'target' | 'meets'>, limit: number): BenchResult {
  return { ...result, target: `>= ${limit}`, meets: result.value >= limit };
}

/** A result reported as a ratio against a baseline measured in the same run. */
export function versus(result: Omit<BenchResult, 'baseline' | 'ratio'>, baseline: number): BenchResult {
  return { ...result, baseline, ratio: baseline === 0 ? Number.NaN : result.value / baseline };
}
