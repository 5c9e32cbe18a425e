/**
 * Transcript analysis speed: utterances analyzed per second on a realistic mix of agent and
 * customer speech, and p50/p99 latency for 40-word agent utterances (target p99 <= 100 µs; the
 * gate's `say` check relies on it). Baseline, measured in the same run over the same inputs: a
 * plain `text.toLowerCase().split(' ')`.
 */
import os from 'node:os';
import { analyzeUtterance } from '../src/analysis/index.ts';
import type { Speaker } from '../src/analysis/types.ts';
import { atMost, type Bench, type BenchResult, percentile, versus } from './harness.ts';

const AGENT_PARTS = [
  'so what i can do for you today is',
  'I can give you 20% off the first year,',
  'and I will waive the setup fee',
  "i can't do thirty percent but i can do twenty five percent",
  'the pro plan is $1,499 a month for up to fifty seats',
  'we also throw in the first month free if you go annual',
  'if it were up to me I would give you forty percent off',
  'our customers usually see a 30% increase in conversions',
  'I promise it will ship by Friday and we can match their price',
  'just so you know this call is being recorded for quality',
  'let me check with my manager about the termination clause',
  'there is no rush, take your time and talk to your team',
  'you can reach me at 415-555-0132 or jane.doe@example.com',
  'how about fifteen hundred dollars for the whole team',
  'I am an AI assistant calling on behalf of Acme software',
  'does that sound like something that would work for you',
];
const CUSTOMER_PARTS = [
  'yeah that is fine go ahead',
  'can you stop for a second i need to grab a pen',
  'honestly the other vendor quoted us nine hundred a month',
  'is this a robot or am i talking to a real person',
  'please take me off your list and stop calling me',
  'what does the onboarding look like for a team our size',
  'my card number is 4111 1111 1111 1111',
  'we might be able to sign by the end of the month',
];

/** Deterministic utterances of about `words` words stitched from realistic phrases. */
function utterances(parts: readonly string[], count: number, words: number, seed: number): string[] {
  let x = seed >>> 0;
  const next = (): number => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const chosen: string[] = [];
    let n = 0;
    while (n < words) {
      const part = parts[next() % parts.length] as string;
      const w = part.split(' ');
      const take = w.slice(0, Math.min(w.length, words - n));
      chosen.push(take.join(' '));
      n += take.length;
    }
    const text = chosen.join(' ');
    out.push(next() % 2 === 0 ? text.toLowerCase().replace(/[.,!?]/g, '') : text);
  }
  return out;
}

function timeEach(inputs: readonly string[], speaker: Speaker, fn: (t: string, s: Speaker) => unknown): number[] {
  const samples: number[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const t0 = performance.now();
    fn(inputs[i] as string, speaker);
    samples[i] = (performance.now() - t0) * 1000;
  }
  return samples;
}

/** CPU time (user + system) per call, in µs: what the analysis costs, without time spent preempted. */
function cpuEach(inputs: readonly string[], speaker: Speaker, fn: (t: string, s: Speaker) => unknown): number[] {
  const samples: number[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const before = process.cpuUsage();
    fn(inputs[i] as string, speaker);
    const d = process.cpuUsage(before);
    samples[i] = d.user + d.system;
  }
  return samples;
}

function throughput(mix: readonly [string, Speaker][], fn: (t: string, s: Speaker) => unknown): number {
  const started = performance.now();
  for (const [text, speaker] of mix) fn(text, speaker);
  return mix.length / ((performance.now() - started) / 1000);
}

const analyze = (t: string, s: Speaker): unknown => analyzeUtterance(t, s);
const baseline = (t: string): unknown => t.toLowerCase().split(' ');

const bench: Bench = {
  name: 'analysis',
  description: 'analyzeUtterance: utterances/s on a mixed stream, p50/p99 µs for 40-word agent utterances',
  async run(): Promise<BenchResult[]> {
    const forty = utterances(AGENT_PARTS, 20_000, 40, 7);
    const mix: [string, Speaker][] = [
      ...utterances(AGENT_PARTS, 10_000, 25, 11).map((t): [string, Speaker] => [t, 'agent']),
      ...utterances(CUSTOMER_PARTS, 10_000, 12, 13).map((t): [string, Speaker] => [t, 'customer']),
    ];
    // Warm up the JIT and the phrase book cache.
    for (let i = 0; i < 3; i++) {
      timeEach(forty.slice(0, 5_000), 'agent', analyze);
      timeEach(forty.slice(0, 5_000), 'agent', baseline);
    }
    const samples = timeEach(forty, 'agent', analyze);
    const cpu = cpuEach(forty, 'agent', analyze);
    const cpuBase = cpuEach(forty, 'agent', baseline);
    const baseSamples = timeEach(forty, 'agent', baseline);
    const rate = throughput(mix, analyze);
    const baseRate = throughput(mix, baseline);
    return [
      versus(
        {
          name: 'analysis',
          metric: 'utterances analyzed per second (mixed agent/customer)',
          value: Math.round(rate),
          unit: 'utt/s',
        },
        Math.round(baseRate),
      ),
      versus(
        {
          name: 'analysis',
          metric: 'p50 latency, 40-word agent utterance',
          value: percentile(samples, 50),
          unit: 'µs',
        },
        percentile(baseSamples, 50),
      ),
      atMost(
        {
          name: 'analysis',
          metric: 'p99 latency, 40-word agent utterance',
          value: percentile(samples, 99),
          unit: 'µs',
        },
        100,
      ),
      // Context for the tail: on a shared machine, preemption (not analysis) sets the wall-clock p99.
      // CPU time per call (µs resolution, includes the cost of reading the clock) shows the work itself.
      versus(
        { name: 'analysis', metric: 'p99 CPU time, 40-word agent utterance', value: percentile(cpu, 99), unit: 'µs' },
        percentile(cpuBase, 99),
      ),
      {
        name: 'analysis',
        metric: '1-minute load average per CPU during the run',
        value: Number(((os.loadavg()[0] ?? 0) / os.cpus().length).toFixed(2)),
        unit: '',
      },
    ];
  },
};

export default bench;
