/**
 * Model-based tests: @xstate/graph walks the session statechart's reachable states under every
 * kind of event (times derived from the state's own deadlines), and the test checks that every
 * state of every region is reachable and that the gate obeys the laws in each reached state.
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { analyzeUtterance, emptyFacts, redactPii } from '../../src/analysis/index.ts';
import type { UtteranceFacts } from '../../src/analysis/types.ts';
import { decide, NO_EFFECTS } from '../../src/gate/decide.ts';
import type { Decision, SessionMeta } from '../../src/model/index.ts';
import type { LoadedPolicy } from '../../src/policy/index.ts';
import { viewOf } from '../../src/session/view.ts';
import { defaultPolicy, meta, policyWith, T0 } from '../../test/support/sessions.ts';
import { sessionMachine } from './machine.ts';
import type { DecisionEffects, SessionEvent } from './types.ts';

type Snap = ReturnType<typeof sessionMachine.transition>;

const facts = (f: Partial<UtteranceFacts>): UtteranceFacts => ({ ...emptyFacts(''), ...f });
const effects = (e: Partial<DecisionEffects>): DecisionEffects => ({ ...NO_EFFECTS, ...e });
const decision = {
  id: 'd',
  proposalId: 'p',
  sessionId: 's1',
  kind: 'say',
  outcome: 'allow',
  rationale: [{ rule: 'r', facts: {}, message: 'm' }],
  policyVersion: 'v',
  stateRef: { seq: 0, state: '' },
  at: 0,
} as Decision;
const NIGHT = Date.parse('2026-11-19T03:00:00Z');

type Focus = 'lifecycle' | 'negotiation' | 'control';

const eventsFor =
  (focus: Focus) =>
  (s: Snap): SessionEvent[] => {
    const c = s.context;
    const t = c.policy.policy.timeouts;
    const now = Math.max(c.lastActivityAt, c.startedAt, T0) + 1;
    const ticks = [c.endsAt, c.endsAt - t.wrap_up_warning_seconds * 1000, c.lastActivityAt + t.silence_seconds * 1000];
    if (c.pending) ticks.push(c.pending.deadline);
    if (c.endRequestedAt !== null) ticks.push(c.endRequestedAt + t.end_call_grace_seconds * 1000);
    if (c.transcriptionLostAt !== null) ticks.push(c.transcriptionLostAt + t.transcription_grace_seconds * 1000);
    for (const o of c.overrides) ticks.push(o.expiresAt);
    const said = (f: Partial<UtteranceFacts>, confidence = 0.95): SessionEvent => ({
      type: 'CUSTOMER_SAID',
      at: now,
      facts: facts(f),
      confidence,
    });
    const decided = (e: Partial<DecisionEffects>): SessionEvent => ({
      type: 'DECIDED',
      at: now,
      decision,
      effects: effects(e),
    });
    const pending = {
      approvalId: 'a1',
      decisionId: 'd',
      proposal: {
        id: 'p',
        sessionId: 's1',
        kind: 'concession' as const,
        params: { type: 'percent_off' as const, value: 20 },
      },
      deadline: now + 90_000,
    };
    const tick = (at: number): SessionEvent => ({ type: 'TICK', at });
    const start: SessionEvent[] = [
      { type: 'START', at: T0 },
      { type: 'START', at: NIGHT },
    ];
    const byFocus: Record<Focus, SessionEvent[]> = {
      lifecycle: [
        said({ optOut: true }, 0.2),
        said({ consent: 'declined' }),
        said({ consent: 'granted' }),
        said({ consent: 'granted' }, 0.3),
        said({ asksIfAI: true }),
        decided({ disclosed: true, disclosedAI: true }),
        { type: 'VOICEMAIL', at: now },
        { type: 'TRANSFER_COMPLETED', at: now },
        { type: 'CALL_ENDED', at: now },
        ...[...new Set(ticks.slice(0, 3))].filter((at) => at >= now - 1).map(tick),
        ...(c.endRequestedAt !== null ? [tick(c.endRequestedAt + t.end_call_grace_seconds * 1000)] : []),
      ],
      negotiation: [
        said({ consent: 'granted' }),
        decided({ disclosed: true }),
        decided({ handoffTo: 'booking' }),
        decided({ handoffTo: 'transfer' }),
        decided({ handoffTo: 'closing' }),
        decided({ pending }),
        decided({ overrideUsed: 'ov1' }),
        {
          type: 'APPROVAL_RESOLVED',
          at: now,
          approvalId: 'a1',
          status: 'approved',
          override: {
            id: 'ov1',
            approvalId: 'a1',
            kind: 'concession',
            paramsHash: 'h',
            bound: { type: 'percent_off', value: 20 },
            expiresAt: now + 300_000,
            approvers: ['m'],
          },
        },
        { type: 'APPROVAL_RESOLVED', at: now, approvalId: 'a1', status: 'denied', override: null },
        ...(c.pending ? [tick(c.pending.deadline)] : []),
        ...c.overrides.map((o) => tick(o.expiresAt)),
      ],
      control: [
        { type: 'TRANSCRIPTION_LOST', at: now },
        { type: 'TRANSCRIPTION_RESTORED', at: now },
        { type: 'HOLD', at: now, reason: 'suspended by a manager', end: false },
        { type: 'RESUME', at: now },
        { type: 'CALL_ENDED', at: now },
        ...(c.transcriptionLostAt !== null ? [tick(c.transcriptionLostAt + t.transcription_grace_seconds * 1000)] : []),
        tick(now + 12 * 3600_000),
      ],
    };
    return [...start, ...byFocus[focus]];
  };

/** Key on the regions' states plus the few context facts that change what can happen next. */
const serializeState = (s: Snap) =>
  JSON.stringify([
    s.value,
    s.context.pending !== null,
    Math.min(s.context.overrides.length, 2),
    s.context.aiQuestionPending,
    s.context.endRequestedAt !== null,
  ]);

function explore(m: SessionMeta, policy: LoadedPolicy, focus: Focus): Snap[] {
  const paths = getShortestPaths(sessionMachine, {
    input: { meta: m, policy },
    events: eventsFor(focus),
    serializeState,
  });
  return paths.map((p) => p.state as Snap);
}

const leaves = (value: unknown, prefix: string): string[] =>
  typeof value === 'string'
    ? [`${prefix}.${value}`]
    : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));

const allLeafStates = (): string[] => {
  const out: string[] = [];
  const walk = (node: { states: Record<string, unknown>; path: string[] }) => {
    const children = Object.values(node.states) as Array<{
      states: Record<string, unknown>;
      path: string[];
      always?: unknown[];
    }>;
    // Transient states (left at once by an eventless transition) are never at rest, so not reachable as such.
    const transient = ((node as { always?: unknown[] }).always?.length ?? 0) > 0;
    if (children.length === 0 && !transient) out.push(node.path.join('.'));
    for (const child of children) walk(child);
  };
  walk(sessionMachine.root as never);
  return out;
};

describe('session statechart, explored by @xstate/graph', () => {
  // A patient policy with no AI disclosure reaches the wrap-up warning and `consent.not_required`.
  const patient = policyWith((p) => {
    p.timeouts.silence_seconds = 7200;
    p.consent.require_ai_disclosure = false;
  });
  const setups: Array<[SessionMeta, LoadedPolicy]> = [
    [meta(), defaultPolicy()],
    [meta({ jurisdiction: 'CA', timezone: 'America/Los_Angeles', role: 'booking' }), defaultPolicy()],
    [meta({ role: 'transfer', direction: 'inbound', channel: 'message' }), defaultPolicy()],
    [meta(), patient],
  ];
  const snapshots = setups.flatMap(([m, policy]) =>
    (['lifecycle', 'negotiation', 'control'] as const).flatMap((focus) => explore(m, policy, focus)),
  );

  it('reaches every state of every region', () => {
    const reached = new Set(snapshots.flatMap((s) => leaves(s.value, '')));
    const missing = allLeafStates().filter((leaf) => !reached.has(leaf));
    expect(missing).toEqual([]);
    expect(snapshots.length).toBeGreaterThan(100);
  });

  it('in every reachable state the gate obeys the laws', () => {
    const proposals = [
      { kind: 'concession', params: { type: 'percent_off', value: 5 } },
      { kind: 'say', params: { text: 'I can give you five percent off' } },
      { kind: 'transfer', params: { target: 'sales-desk' } },
      { kind: 'end_call', params: {} },
      { kind: 'role_handoff', params: { to: 'booking' } },
    ];
    for (const s of snapshots) {
      const view = viewOf(s);
      for (const [i, p] of proposals.entries()) {
        const { decision: d } = decide({
          view,
          proposal: { id: `p${i}`, sessionId: 's1', ...p },
          at: s.context.lastActivityAt + 1,
          seq: 1,
          analyze: analyzeUtterance,
          redact: redactPii,
        });
        const goes = d.outcome === 'allow' || d.outcome === 'sanitize';
        if (view.lifecycle === 'ended' || view.lifecycle === 'connecting')
          expect(goes, `${view.state} ${p.kind}`).toBe(false);
        if (p.kind === 'end_call' && view.lifecycle !== 'ended' && view.lifecycle !== 'connecting')
          expect(d.outcome).toBe('allow');
        if (p.kind === 'end_call') continue;
        if (view.consent === 'opted_out' || view.holdReason !== null)
          expect(goes, `${view.state} ${p.kind}`).toBe(false);
        if (view.transcriptionLost && p.kind !== 'transfer') expect(goes, `${view.state} ${p.kind}`).toBe(false);
        if (view.role !== 'closing' && (p.kind === 'concession' || p.kind === 'say') && d.outcome !== 'deny') {
          expect(d.rationale.some((r) => r.rule.startsWith('concession'))).toBe(false);
        }
      }
    }
  });
});
