import type { SampleScript, ScriptStep } from '../src/demo/scripts.ts';
import { simulateScript } from '../src/demo/simulate.ts';
import { loadPolicyFile, versionOf } from '../src/policy/index.ts';
import { compareRuns, proposalParams, type Recording, replayRecording } from '../src/replay/index.ts';
import { atLeast, type Bench } from './harness.ts';

const T0 = Date.parse('2026-11-18T15:00:00Z');
const CUSTOMER = [
  'We are looking at options for the team.',
  'How does the pricing work for forty seats?',
  'That sounds a bit expensive to be honest.',
  'Can you send me the details by email?',
  'What about onboarding and support?',
  'I need to check with my manager first.',
];

/** A deterministic pseudo-random sequence (the corpus is the same on every run). */
function lcg(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** A ten-minute closing call: someone speaks every few seconds, a proposal about every half minute. */
function script(i: number): SampleScript {
  const rand = lcg(i + 1);
  const steps: ScriptStep[] = [];
  let at = 1000;
  let p = 0;
  while (at < 600_000) {
    const r = rand();
    if (r < 0.45) steps.push({ at, do: 'customer', text: CUSTOMER[Math.floor(rand() * CUSTOMER.length)] as string });
    else if (r < 0.85) steps.push({ at, do: 'agent', text: 'Let me walk you through how that works.' });
    else if (r < 0.93)
      steps.push({
        at,
        do: 'propose',
        id: `p${p++}`,
        kind: 'concession',
        params: { type: 'percent_off', value: Math.floor(rand() * 8) },
      });
    else
      steps.push({
        at,
        do: 'propose',
        id: `p${p++}`,
        kind: 'say',
        params: { text: 'We can include onboarding at no extra cost.' },
      });
    at += 2000 + Math.floor(rand() * 6000);
  }
  steps.push({ at, do: 'event', event: 'call_ended' });
  return {
    name: `bench-${i}`,
    title: 'bench',
    meta: {
      sessionId: `bench-${i}`,
      callId: `bench-${i}`,
      channel: 'voice',
      direction: 'inbound',
      role: 'closing',
      jurisdiction: 'NY',
      timezone: 'America/New_York',
      agentId: 'bench-agent',
      tenantId: 'acme',
    },
    steps,
  };
}

function cpuSeconds(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const bench: Bench = {
  name: 'replay',
  description: 'replay speed: recorded call-minutes re-decided per CPU second (target ≥ 1,000× real time)',
  async run() {
    const policy = await loadPolicyFile();
    const corpus: Recording[] = [];
    for (let i = 0; i < 120; i++) corpus.push(simulateScript(script(i), policy, T0 + i * 1000));
    const callMinutes = corpus.reduce((m, r) => m + ((r.inputs.at(-1)?.at ?? 0) - (r.inputs[0]?.at ?? 0)) / 60_000, 0);
    const inputs = corpus.reduce((n, r) => n + r.inputs.length, 0);
    const candidate = versionOf({
      ...policy.policy,
      label: 'candidate',
      roles: {
        ...policy.policy.roles,
        closing: {
          ...policy.policy.roles.closing,
          concessions: { ...policy.policy.roles.closing.concessions, auto_max_percent: 4 },
        },
      },
    });
    for (const r of corpus.slice(0, 10)) replayRecording(r); // warm up
    let identical = 0;
    const exact = cpuSeconds(() => {
      for (const r of corpus) {
        const result = replayRecording(r);
        if (compareRuns(r.header.meta.sessionId, r, result, proposalParams(r.inputs)).identical) identical++;
      }
    });
    if (identical !== corpus.length)
      throw new Error(`only ${identical}/${corpus.length} recordings reproduced exactly`);
    const changed = cpuSeconds(() => {
      for (const r of corpus)
        compareRuns(r.header.meta.sessionId, r, replayRecording(r, candidate), proposalParams(r.inputs));
    });
    const realTime = (cpu: number) => (callMinutes * 60) / cpu;
    return [
      atLeast(
        {
          name: 'replay',
          metric: 'same version: × real time (call time / CPU time)',
          value: Math.round(realTime(exact)),
          unit: '×',
        },
        1000,
      ),
      atLeast(
        { name: 'replay', metric: 'candidate version: × real time', value: Math.round(realTime(changed)), unit: '×' },
        1000,
      ),
      {
        name: 'replay',
        metric: 'inputs re-applied per CPU second (same version)',
        value: Math.round(inputs / exact),
        unit: 'inputs/s',
      },
      {
        name: 'replay',
        metric: `corpus: ${corpus.length} calls, ${Math.round(callMinutes)} call-minutes, ${inputs} inputs`,
        value: Math.round(callMinutes),
        unit: 'call-min',
      },
    ];
  },
};

export default bench;
