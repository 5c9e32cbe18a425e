/**
 * A witness of the disk during a latency window: a thread of its own that overwrites 4 KiB of a
 * file of its own and fdatasyncs it every `PERIOD_MS`, timing each flush. When the disk (or the
 * host under it) stalls, every durable commit in the window waits, and so does the witness's
 * flush, whatever the store does: a store p99 over its target next to a witness flush of tens of
 * milliseconds is the host's, not the store's. On this machine an idle disk's flush of this kind
 * stays under 10 ms; under the store's load stalls of 40–460 ms were seen, by a second process as
 * well as by the store (2026-12-07).
 *
 * It costs the disk one small flush per period (the store at 10,000 decisions/s makes about 75 a
 * second), and a thread that sleeps between them.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const PERIOD_MS = 20;
/** Room for this many flushes: over 20 minutes at `PERIOD_MS`; later ones are not kept. */
const CAPACITY = 1 << 16;

const WITNESS = `'use strict';
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { file, control, durations, period } = workerData;
const flags = new Int32Array(control); // [0]: stop, [1]: flushes timed
const times = new Float64Array(durations);
const fd = fs.openSync(file, 'w');
const block = Buffer.alloc(4096, 3);
fs.writeSync(fd, block, 0, block.length, 0);
fs.fdatasyncSync(fd);
while (Atomics.load(flags, 0) === 0) {
  const t0 = performance.now();
  fs.writeSync(fd, block, 0, block.length, 0);
  fs.fdatasyncSync(fd);
  const n = Atomics.load(flags, 1);
  if (n < times.length) {
    times[n] = performance.now() - t0;
    Atomics.store(flags, 1, n + 1);
  }
  Atomics.wait(flags, 0, 0, period);
}
fs.closeSync(fd);
fs.rmSync(file, { force: true });`;

/** What the witness saw: each flush's duration in ms, in order. */
export interface Witnessed<T> {
  result: T;
  flushes: number[];
}

/** Runs `fn` with a witness flushing a file in `dir` alongside it. */
export async function withDiskWitness<T>(dir: string, fn: () => Promise<T>): Promise<Witnessed<T>> {
  const control = new SharedArrayBuffer(8);
  const durations = new SharedArrayBuffer(CAPACITY * 8);
  const worker = new Worker(WITNESS, {
    eval: true,
    workerData: { file: path.join(dir, 'disk-witness.bin'), control, durations, period: PERIOD_MS },
  });
  const exited = new Promise<void>((resolve, reject) => {
    worker.once('exit', () => resolve());
    worker.once('error', reject);
  });
  const flags = new Int32Array(control);
  try {
    const result = await fn();
    return { result, flushes: Array.from(new Float64Array(durations, 0, Atomics.load(flags, 1))) };
  } finally {
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    await exited;
  }
}

/** The witness's flushes as a bench row's value and unit: the longest, and how many took over `slowMs`. */
export function witnessSummary(flushes: readonly number[], slowMs: number): { value: number; unit: string } {
  const longest = flushes.length === 0 ? Number.NaN : Math.max(...flushes);
  const slow = flushes.filter((ms) => ms > slowMs).length;
  return {
    value: Number(longest.toFixed(2)),
    unit: `ms longest (${slow} of ${flushes.length} flushes over ${slowMs} ms)`,
  };
}
