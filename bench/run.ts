/**
 * Runs the benchmarks in `bench/*.bench.ts` and writes `bench/results/latest.json`.
 *   npm run bench            all of them
 *   npm run bench -- NAME    those whose name contains NAME
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeError } from '../src/errors/index.ts';
import type { Bench, BenchResult } from './harness.ts';
import { cpuPressurePercent, yardstickNanos } from './machine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));

const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const benches: Bench[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default: Bench };
  if (filters.length === 0 || filters.some((f) => mod.default.name.includes(f))) benches.push(mod.default);
}
if (benches.length === 0) {
  console.error(
    `No benchmark matches ${filters.join(', ')}. Available: ${files.map((f) => f.replace('.bench.ts', '')).join(', ')}`,
  );
  process.exit(1);
}

const speedBefore = { yardstickNanos: yardstickNanos(), cpuPressurePercent: cpuPressurePercent() };
const results: BenchResult[] = [];
const failed: string[] = [];
for (const bench of benches) {
  process.stderr.write(`running ${bench.name}: ${bench.description}\n`);
  const started = performance.now();
  try {
    results.push(...(await bench.run()));
    process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (e) {
    // One broken benchmark must not lose the others' figures; the run still exits non-zero.
    failed.push(bench.name);
    // As the CLI reports errors (code, message, what to do), then where it was thrown.
    const { headline, action } = describeError(e);
    process.stderr.write(`  FAILED: ${headline}\n`);
    if (action) process.stderr.write(`  what to do: ${action}\n`);
    if (e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  }
}

const machine = {
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  at: new Date().toISOString(),
  // Compare runs only when these are alike (bench/machine.ts).
  speed: {
    before: speedBefore,
    after: { yardstickNanos: yardstickNanos(), cpuPressurePercent: cpuPressurePercent() },
  },
};
await mkdir(path.join(here, 'results'), { recursive: true });
await writeFile(path.join(here, 'results', 'latest.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);

const fmt = (n: number | undefined) => (n === undefined ? '' : Number.isInteger(n) ? String(n) : n.toPrecision(4));
const rows = results.map((r) => [
  r.name,
  r.metric,
  `${fmt(r.value)} ${r.unit}`,
  r.target ?? '',
  r.meets === undefined ? '' : r.meets ? 'yes' : 'NO',
  r.ratio === undefined ? '' : `${fmt(r.ratio)}x of ${fmt(r.baseline)}`,
]);
const header = ['bench', 'metric', 'value', 'target', 'meets', 'vs baseline'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
const speed = (at: { yardstickNanos: number; cpuPressurePercent: number | null }) =>
  `${fmt(at.yardstickNanos)} ns` +
  (at.cpuPressurePercent === null ? '' : `, tasks waited for a CPU ${fmt(at.cpuPressurePercent)}% of the last minute`);
console.log(
  `\nmachine: ${machine.cpus} × ${machine.cpuModel}; yardstick (bench/machine.ts) before ${speed(machine.speed.before)}; after ${speed(machine.speed.after)}`,
);
console.log(`written to bench/results/latest.json`);
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
