import { type Actor, createActor, type SnapshotFrom } from 'xstate';
import { customerSpeechIsOnlyActivity } from '../../machines/session/guards.ts';
import { sessionMachine } from '../../machines/session/machine.ts';
import type { DecisionEffects, Override, SessionEmitted, SessionEvent } from '../../machines/session/types.ts';
import { Policy } from '../../policies/schema.ts';
import { analyzeUtterance, redactPii } from '../analysis/index.ts';
import { decide } from '../gate/decide.ts';
import type { Analyzer, SessionView } from '../gate/types.ts';
import { reason } from '../gate/verdict.ts';
import type { Decision } from '../model/decision.ts';
import type { SessionMeta } from '../model/session-meta.ts';
import { type LoadedPolicy, versionOf } from '../policy/index.ts';
import type { SessionInput } from './inputs.ts';
import type { SessionOutput } from './outputs.ts';
import { viewOf } from './view.ts';

type SessionSnapshot = SnapshotFrom<typeof sessionMachine>;

/** What a session was right before one input: `rewind` goes back to it. */
export interface SessionMark {
  readonly snapshot: SessionSnapshot;
  readonly activityAt: number | null;
  readonly policy: LoadedPolicy;
  /** The input count before that input. */
  readonly seq: number;
}

export interface SessionDeps {
  analyze: Analyzer;
  redact: typeof redactPii;
}

const DEFAULT_DEPS: SessionDeps = { analyze: (text, speaker) => analyzeUtterance(text, speaker), redact: redactPii };

function hasEffects(e: DecisionEffects): boolean {
  return (
    e.concessions.length > 0 ||
    e.disclosed ||
    e.disclosedAI ||
    e.handoffTo !== null ||
    e.handoffDenied !== null ||
    e.extendSeconds !== 0 ||
    e.overrideUsed !== null ||
    e.pending !== null
  );
}

const EVENT_TYPES = {
  voicemail: 'VOICEMAIL',
  transfer_completed: 'TRANSFER_COMPLETED',
  call_ended: 'CALL_ENDED',
  transcription_lost: 'TRANSCRIPTION_LOST',
  transcription_restored: 'TRANSCRIPTION_RESTORED',
} as const;

/**
 * One live call or message thread: its statechart actor plus the gate. Every input goes through
 * `apply`, which returns what the session decided and directed in answer, synchronously and
 * deterministically. The runtime persists the outputs before delivering them (law 1).
 */
export class GuardedSession {
  readonly meta: SessionMeta;
  /** The version deciding now: the one the session started on, or one that applied at once since. */
  policy: LoadedPolicy;
  private actor: Actor<typeof sessionMachine>;
  private readonly deps: SessionDeps;
  private readonly coalesceSpeech: boolean;
  private seq = 0;
  private outputs: SessionOutput[] = [];
  private viewed: { snapshot: SessionSnapshot; view: SessionView } | null = null;
  /** Speech not yet given to the statechart (see `noteActivity`): the time of the latest. */
  private activityAt: number | null = null;

  /**
   * `coalesceSpeech: false` gives every transcript to the statechart as it comes: the reference
   * the tests compare the coalesced session against (see `noteActivity`).
   */
  constructor(
    meta: SessionMeta,
    policy: LoadedPolicy,
    deps: SessionDeps = DEFAULT_DEPS,
    options: { coalesceSpeech?: boolean } = {},
  ) {
    this.meta = meta;
    this.policy = policy;
    this.deps = deps;
    this.coalesceSpeech = options.coalesceSpeech ?? true;
    this.actor = this.startActor();
  }

  /** The statechart actor, fresh or (given a snapshot, which XState never mutates) as it was then. */
  private startActor(snapshot?: SessionSnapshot): Actor<typeof sessionMachine> {
    const input = { meta: this.meta, policy: this.policy };
    const actor = createActor(sessionMachine, snapshot ? { input, snapshot } : { input });
    actor.on('*', (emitted) => this.onEmitted(emitted));
    actor.start();
    return actor;
  }

  /** The session as it is now, before the next input (cheap: snapshots are immutable). */
  mark(): SessionMark {
    return { snapshot: this.actor.getSnapshot(), activityAt: this.activityAt, policy: this.policy, seq: this.seq };
  }

  /**
   * Undoes the one input applied since `mark`: the statechart goes back to what it was, as though
   * that input had never come. The input count stays where it is, so decision ids stay unique.
   * False (nothing changes) when more inputs came after it: it can no longer be undone alone.
   */
  rewind(mark: SessionMark): boolean {
    if (this.seq !== mark.seq + 1) return false;
    this.actor.stop();
    this.policy = mark.policy;
    this.activityAt = mark.activityAt;
    this.actor = this.startActor(mark.snapshot);
    return true;
  }

  /**
   * Counts `count` inputs the live session applied and then undid (`rewind`) without applying
   * them: they used their numbers there, so a replay skips the same numbers and its decision ids
   * stay those the live session gave.
   */
  skipInputs(count: number): void {
    this.seq += count;
  }

  /** Number of inputs applied so far. */
  get inputCount(): number {
    return this.seq;
  }

  view(): SessionView {
    // A snapshot is immutable: its view is computed once (most inputs leave the snapshot as it is).
    const snapshot = this.actor.getSnapshot();
    if (snapshot !== this.viewed?.snapshot) this.viewed = { snapshot, view: viewOf(snapshot) };
    return this.viewed.view;
  }

  get ended(): boolean {
    return this.actor.getSnapshot().value.lifecycle === 'ended';
  }

  /** The approval a held proposal waits on, if any (read straight from the snapshot: no view built). */
  get pendingApprovalId(): string | null {
    return this.actor.getSnapshot().context.pending?.approvalId ?? null;
  }

  apply(input: SessionInput): SessionOutput[] {
    this.seq += 1;
    this.outputs = [];
    switch (input.type) {
      case 'start':
        this.send({ type: 'START', at: input.at });
        break;
      case 'transcript':
        this.transcript(input);
        break;
      case 'propose':
        this.propose(input.proposal, input.at);
        break;
      case 'approval':
        this.approval(input);
        break;
      case 'tick':
        this.tick(input.at);
        break;
      case 'event':
        this.send({ type: EVENT_TYPES[input.event], at: input.at });
        break;
      case 'hold':
        this.send({ type: 'HOLD', at: input.at, reason: input.reason, end: input.end });
        break;
      case 'resume':
        this.send({ type: 'RESUME', at: input.at });
        break;
      case 'budget':
        this.send({ type: 'BUDGET', at: input.at, remaining: input.remaining });
        break;
      case 'policy':
        this.policy = versionOf(Policy.parse(input.policy));
        this.send({ type: 'POLICY_CHANGED', at: input.at, policy: this.policy });
        break;
    }
    return this.outputs;
  }

  /** When the session next needs a `tick` (a timer would fire), or null when nothing is due. */
  nextDeadline(): number | null {
    const snapshot = this.actor.getSnapshot();
    const c = snapshot.context;
    const lifecycle = snapshot.value.lifecycle;
    const t = c.policy.policy.timeouts;
    const due: number[] = [];
    if (typeof lifecycle === 'object' && this.meta.channel === 'voice') {
      const lastActivityAt = this.activityAt ?? c.lastActivityAt;
      due.push(c.endsAt, lastActivityAt + t.silence_seconds * 1000);
      if (lifecycle.live === 'normal') due.push(c.endsAt - t.wrap_up_warning_seconds * 1000);
    }
    if (lifecycle === 'wrapping_up' && c.endRequestedAt !== null)
      due.push(c.endRequestedAt + t.end_call_grace_seconds * 1000);
    if (c.pending) due.push(c.pending.deadline);
    for (const o of c.overrides) due.push(o.expiresAt);
    if (snapshot.value.transcription === 'degraded' && c.transcriptionLostAt !== null) {
      due.push(c.transcriptionLostAt + t.transcription_grace_seconds * 1000);
    }
    return due.length ? Math.min(...due) : null;
  }

  /** Stops the actor; the session takes no more inputs. */
  stop(): void {
    this.actor.stop();
  }

  private send(event: SessionEvent): void {
    if (this.activityAt !== null) {
      const at = this.activityAt;
      this.activityAt = null;
      this.actor.send({ type: 'AGENT_SPOKE', at });
    }
    this.actor.send(event);
  }

  /**
   * Most speech only moves the silence clock: the statechart's AGENT_SPOKE sets `lastActivityAt`
   * while live and does nothing otherwise, and the last one wins; customer speech without an
   * opt-out, a consent answer or an AI question does the same. So a run of such speech is given
   * to the statechart as one AGENT_SPOKE with the latest time, right before its next other event;
   * the state every later event sees is the same. An XState step costs 15-20 µs with eight
   * regions (and a new snapshot that lives until the next one), and transcripts arrive several
   * times a second on every call.
   */
  private noteActivity(at: number): void {
    this.activityAt = at;
  }

  private onEmitted(e: SessionEmitted): void {
    switch (e.type) {
      case 'directive':
        this.outputs.push({ type: 'directive', directive: e.directive });
        break;
      case 'approval_result':
        this.outputs.push(e);
        break;
      case 'do_not_call': {
        const dnc = this.policy.policy.crm.do_not_call;
        const write = {
          object: dnc.object,
          properties: { [dnc.property]: dnc.value },
          ...(this.meta.contactId ? { id: this.meta.contactId } : {}),
        };
        this.outputs.push({ type: 'do_not_call', at: e.at, write });
        break;
      }
      case 'enforce_end':
        this.outputs.push(e);
        break;
    }
  }

  private transcript(input: Extract<SessionInput, { type: 'transcript' }>): void {
    if (input.speaker === 'agent' || !input.isFinal) {
      if (this.coalesceSpeech) this.noteActivity(input.at);
      else this.send({ type: 'AGENT_SPOKE', at: input.at });
      return;
    }
    const facts = this.deps.analyze(input.text, 'customer');
    if (this.coalesceSpeech && customerSpeechIsOnlyActivity(facts)) {
      this.noteActivity(input.at);
      return;
    }
    this.send({ type: 'CUSTOMER_SAID', at: input.at, facts, confidence: input.confidence });
  }

  private propose(proposal: unknown, at: number): Decision {
    const result = decide({
      view: this.view(),
      proposal,
      at,
      seq: this.seq,
      analyze: this.deps.analyze,
      redact: this.deps.redact,
    });
    this.outputs.push({ type: 'decision', decision: result.decision });
    // Most decisions change nothing in the statechart; only those with effects are sent to it.
    if (hasEffects(result.effects))
      this.send({ type: 'DECIDED', at, decision: result.decision, effects: result.effects });
    return result.decision;
  }

  private approval(input: Extract<SessionInput, { type: 'approval' }>): void {
    const pending = this.actor.getSnapshot().context.pending;
    const override = input.override as Override | null;
    this.send({
      type: 'APPROVAL_RESOLVED',
      at: input.at,
      approvalId: input.approvalId,
      status: input.status,
      override,
    });
    if (!pending || pending.approvalId !== input.approvalId) return;
    if (input.status === 'approved' && override) {
      // The held proposal goes through now, on the override the approval minted.
      this.propose({ ...pending.proposal, override: override.id }, input.at);
    } else {
      this.closePending(pending, input.at, 'approval.denied', 'The approver denied this; use the fallback line.');
    }
  }

  private tick(at: number): void {
    const pending = this.actor.getSnapshot().context.pending;
    this.send({ type: 'TICK', at });
    const expired = this.outputs.some((o) => o.type === 'approval_result' && o.status === 'expired');
    if (pending && expired)
      this.closePending(
        pending,
        at,
        'approval.expired',
        'No approval arrived before the deadline; use the fallback line.',
      );
  }

  /** A held proposal that will not go through is a decision in the chain too. */
  private closePending(
    pending: { approvalId: string; proposal: { id: string; kind: Decision['kind'] } },
    at: number,
    rule: string,
    message: string,
  ): void {
    const view = this.view();
    const decision: Decision = {
      id: `${this.meta.sessionId}:d${this.seq}`,
      proposalId: pending.proposal.id,
      sessionId: this.meta.sessionId,
      kind: pending.proposal.kind,
      outcome: 'deny',
      rationale: [reason(rule, message, { approvalId: pending.approvalId })],
      policyVersion: this.policy.version,
      stateRef: { seq: this.seq, state: view.state },
      at,
      fallback: this.policy.policy.approvals.expired_line,
    };
    this.outputs.push({ type: 'decision', decision });
  }
}
