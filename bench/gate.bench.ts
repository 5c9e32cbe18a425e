/**
 * The gate: decisions per second and p50/p99 latency of one decision through a live session
 * (statechart + gate) on a realistic mix, and memory per live session actor.
 * Targets: p99 ≤ 50 µs per decision; ≤ 64 KB per live session.
 */
import { readFileSync } from 'node:fs';
import { analyzeUtterance, redactPii } from '../src/analysis/index.ts';
import { decide } from '../src/gate/decide.ts';
import { DEFAULT_POLICY_PATH, parsePolicy } from '../src/policy/index.ts';
import { GuardedSession } from '../src/session/guarded-session.ts';
import { atMost, type Bench, percentile, versus } from './harness.ts';

const parsed = parsePolicy(readFileSync(DEFAULT_POLICY_PATH, 'utf8'));
if (!parsed.ok) throw new Error('default policy is invalid');
const policy = parsed.loaded;
const T0 = Date.parse('2026-11-18T15:00:00Z');

const meta = (i: number) => ({
  sessionId: `s${i}`,
  callId: `c${i}`,
  channel: 'voice' as const,
  direction: 'outbound' as const,
  role: 'closing' as const,
  jurisdiction: 'NY',
  timezone: 'America/New_York',
  agentId: 'agent-1',
  tenantId: 'acme',
  contactId: String(1000 + i),
});

/** A realistic mix: mostly speech, some structured concessions, CRM writes, transfers. */
const MIX = [
  {
    kind: 'say',
    params: {
      text: 'Thanks for taking the time today, I wanted to follow up on the proposal we sent over last week and see whether the team had questions about onboarding or pricing',
    },
  },
  {
    kind: 'say',
    params: {
      text: 'i can do ten percent off if you sign this quarter and we can include onboarding for the whole team at no extra cost',
    },
  },
  { kind: 'concession', params: { type: 'percent_off', value: 5 } },
  { kind: 'concession', params: { type: 'percent_off', value: 18 } },
  { kind: 'crm_write', params: { object: 'note', properties: { hs_note_body: 'Customer asked about onboarding.' } } },
  { kind: 'crm_write', params: { object: 'deal', id: '77', properties: { closedate: '2026-12-31', amount: 12000 } } },
  { kind: 'transfer', params: { target: 'billing' } },
  { kind: 'book_meeting', params: { start: '2026-11-20T16:00:00Z', durationMinutes: 30 } },
] as const;

function freshSession(i: number): GuardedSession {
  const s = new GuardedSession(meta(i), policy);
  s.apply({ type: 'start', at: T0 });
  s.apply({
    type: 'propose',
    at: T0 + 1,
    proposal: { id: 'd', sessionId: `s${i}`, kind: 'say', params: { text: policy.policy.consent.disclosure_text } },
  });
  return s;
}

interface Timings {
  /** `decide()` alone: the gate reading the session's state (what the p99 target is about). */
  decide: number[];
  /** The same, for structured proposals and for speech (a `say` is analyzed first). */
  structured: number[];
  speech: number[];
  /** A whole `GuardedSession.apply`: decide, then the statechart takes in what was decided. */
  apply: number[];
  seconds: number;
}

function measureDecisions(count: number): Timings {
  const t: Timings = { decide: [], structured: [], speech: [], apply: [], seconds: 0 };
  let session = freshSession(0);
  let n = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    if (n++ === 20) {
      session = freshSession(i); // keep sessions realistic in length
      n = 0;
    }
    const p = MIX[i % MIX.length] as (typeof MIX)[number];
    const proposal = { id: `p${i}`, sessionId: session.meta.sessionId, ...p };
    const at = T0 + 10 + i;
    const view = session.view();
    const t0 = performance.now();
    decide({ view, proposal, at, seq: session.inputCount + 1, analyze: analyzeUtterance, redact: redactPii });
    const t1 = performance.now();
    session.apply({ type: 'propose', at, proposal });
    const t2 = performance.now();
    const us = (t1 - t0) * 1000;
    t.decide.push(us);
    (p.kind === 'say' ? t.speech : t.structured).push(us);
    t.apply.push((t2 - t1) * 1000);
  }
  t.seconds = (performance.now() - started) / 1000;
  return t;
}

/** Baseline in the same run: validating the same proposals with zod only (what any gate must do at least). */
async function baselineMicros(count: number): Promise<number> {
  const { Proposal } = await import('../src/model/proposal.ts');
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = MIX[i % MIX.length] as (typeof MIX)[number];
    const t = performance.now();
    Proposal.safeParse({ id: `p${i}`, sessionId: 's0', ...p });
    samples.push((performance.now() - t) * 1000);
  }
  return percentile(samples, 50);
}

function heapPerSession(count: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does) to measure memory');
  gc();
  const before = process.memoryUsage().heapUsed;
  const sessions: GuardedSession[] = [];
  for (let i = 0; i < count; i++) sessions.push(freshSession(i));
  gc();
  const after = process.memoryUsage().heapUsed;
  if (sessions.length !== count) throw new Error('unreachable');
  return (after - before) / count;
}

const bench: Bench = {
  name: 'gate',
  description: 'decide() through a live session on a realistic mix; heap per live session',
  async run() {
    measureDecisions(5_000); // warm up
    const t = measureDecisions(50_000);
    const base = await baselineMicros(50_000);
    const perSession = heapPerSession(10_000);
    const decideSeconds = t.decide.reduce((a, b) => a + b, 0) / 1e6;
    return [
      {
        name: 'gate',
        metric: 'decide() per second (one core)',
        value: Math.round(t.decide.length / decideSeconds),
        unit: '/s',
      },
      versus(
        { name: 'gate', metric: 'decide() p50, realistic mix', value: percentile(t.decide, 50), unit: 'µs' },
        base,
      ),
      atMost({ name: 'gate', metric: 'decide() p99, realistic mix', value: percentile(t.decide, 99), unit: 'µs' }, 50),
      { name: 'gate', metric: 'decide() p99, structured proposals', value: percentile(t.structured, 99), unit: 'µs' },
      { name: 'gate', metric: 'decide() p99, speech (analysis included)', value: percentile(t.speech, 99), unit: 'µs' },
      { name: 'gate', metric: 'session.apply (decide + statechart) p50', value: percentile(t.apply, 50), unit: 'µs' },
      { name: 'gate', metric: 'session.apply (decide + statechart) p99', value: percentile(t.apply, 99), unit: 'µs' },
      atMost(
        {
          name: 'gate',
          metric: 'heap per live session (10,000 sessions)',
          value: Math.round(perSession / 1024),
          unit: 'KB',
        },
        64,
      ),
    ];
  },
};
export default bench;
