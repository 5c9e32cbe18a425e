import type { Logger } from 'pino';
import type { ServerMessage } from '../client/protocol.ts';
import { GuardlineError } from '../errors/index.ts';
import { extended } from '../model/extended.ts';
import type { GuardedSession, SessionMark } from '../session/guarded-session.ts';
import type { SessionInput } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';
import type { Store } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { inputRow, recordItems } from './durable-outputs.ts';
import { failClosedDecision } from './fail-closed.ts';
import type { Metrics } from './metrics.ts';
import type { AgentPort, StreamPort } from './ports.ts';

type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;
export type LiveInput = WithoutAt<SessionInput>;

export interface LiveSessionDeps {
  store: Store;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  /** The agent ignored `end_call` past its grace period. */
  enforce(session: LiveSession, at: number): Promise<void>;
  /** The session ended and its last outputs were delivered. */
  onEnded(session: LiveSession, at: number, reason: string): void;
  /** Throws (GL_SUSPENDED) to refuse a proposal before it is applied (the kill switch). */
  admit?(what: 'propose'): void;
  /**
   * Told each applied input, its outputs and their fate, in order, as they are delivered (shadow
   * mode, daily budgets).
   */
  observe?(session: LiveSession, input: SessionInput, outputs: readonly SessionOutput[], fate: InputFate): void;
}

/**
 * What became of an applied input: `delivered` (recorded, and its decisions went to the agent as
 * made); `voided` (recorded, but decided on top of an input the store lost, so the agent got
 * fail-closed denies instead); `unrecorded` (the store failed: the agent got fail-closed denies
 * and the input is not in the session's record).
 */
export type InputFate = 'delivered' | 'voided' | 'unrecorded';

/** How long to wait before re-checking a deadline the session did not clear (a safety net, never hot-loops). */
const RECHECK_MS = 1000;

/** Why a session is held after a decision it made could not be recorded and could not be undone. */
export const UNRECORDED_HOLD_REASON =
  'A decision of this session could not be recorded (GL_STORE_WRITE_FAILED) and Guardline can no longer vouch for its state: only ending the call is allowed.';

/**
 * One live session on this node: the GuardedSession, its timer, and the durability pipeline.
 * Every input is applied synchronously, its input row and outputs are made durable through the
 * store's group commit, and only then are the outputs delivered, in input order (law 1).
 */
export class LiveSession {
  readonly id: string;
  readonly logger: Logger;
  agent: AgentPort | null = null;
  stream: StreamPort | null = null;
  private chain: Promise<void> = Promise.resolve();
  private timer: unknown = null;
  private timerAt: number | null = null;
  private lastAt = 0;
  private finished = false;
  private enforcing = false;
  private endReason: string | null = null;
  /**
   * Set once an unrecorded input could not be undone (see `undoUnrecorded`): the session is then
   * held for good, and inputs numbered strictly between that input and the hold were decided on
   * top of it, so their decisions are voided.
   */
  private decidedOnUnrecorded: { after: number; before: number } | null = null;

  constructor(
    readonly guarded: GuardedSession,
    private readonly deps: LiveSessionDeps,
  ) {
    this.id = guarded.meta.sessionId;
    this.logger = deps.logger;
  }

  get meta() {
    return this.guarded.meta;
  }

  get ended(): boolean {
    return this.finished || this.guarded.ended;
  }

  /**
   * Applies `input` now and resolves once its outputs are durable and delivered. A proposal to an
   * ended session throws `GL_SESSION_ENDED` (nothing is applied); other inputs after the end are
   * ignored.
   */
  submit(input: LiveInput, receivedAt = this.deps.clock.now()): Promise<void> {
    if (this.ended) {
      if (input.type === 'propose') return Promise.reject(new GuardlineError('GL_SESSION_ENDED'));
      return Promise.resolve();
    }
    if (input.type === 'resume' && this.decidedOnUnrecorded !== null) {
      this.logger.warn('not resuming: the session is held for a decision that could not be recorded');
      return Promise.resolve();
    }
    if (input.type === 'propose' && this.deps.admit) {
      try {
        this.deps.admit('propose');
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const at = Math.max(this.deps.clock.now(), this.lastAt, input.type === 'tick' ? (this.timerAt ?? 0) : 0);
    this.lastAt = at;
    const full = extended(input, { at }) as SessionInput;
    // A proposal the store fails to record is answered with a deny: the session must not keep what
    // it decided (a handoff, a disclosure, a concession counted) either.
    const before = full.type === 'propose' ? this.guarded.mark() : null;
    let outputs: SessionOutput[];
    try {
      outputs = this.guarded.apply(full);
    } catch (e) {
      this.logger.error({ err: e, input: input.type }, 'session failed to apply an input; failing closed');
      outputs = [];
      // A failed tick used up the timer: re-arm it, or no deadline (silence, maximum duration) would fire again.
      this.schedule();
      if (full.type === 'propose') {
        const decision = failClosedDecision({
          sessionId: this.id,
          proposal: full.proposal,
          policyVersion: this.guarded.policy.version,
          at,
          seq: this.guarded.inputCount,
          code: 'GL_GATE_INTERNAL',
          detail: 'The session could not apply the proposal.',
        });
        // On disk before the agent hears it (law 1), and in the audit chain (law 7). It is a deny,
        // so it goes out even if the store fails too.
        const recorded = this.deps.store
          .record({
            actor: `agent:${this.meta.agentId}`,
            decision,
            tenantId: this.meta.tenantId,
            agentId: this.meta.agentId,
          })
          .then(
            () => true,
            (err: unknown) => {
              this.deps.metrics.storeFailures.inc();
              this.logger.error({ err, decisionId: decision.id }, 'the fail-closed deny could not be recorded');
              return false;
            },
          );
        return this.enqueue(recorded, () => this.deliver([{ type: 'decision', decision }], receivedAt));
      }
      return Promise.resolve();
    }
    this.noteEnd(outputs, full);
    const seq = this.guarded.inputCount;
    const durable = this.persist(full, outputs);
    this.schedule();
    return this.enqueue(durable, (ok) => {
      const fate: InputFate = !ok ? 'unrecorded' : this.wasDecidedOnUnrecorded(seq) ? 'voided' : 'delivered';
      this.notifyObservers(full, outputs, fate);
      // Only a voided input waits (for its denies to be recorded): the usual path stays synchronous.
      if (fate === 'voided')
        return this.deliverVoided(full, outputs, receivedAt).then(() => this.afterDelivery(outputs, at));
      if (fate === 'unrecorded') {
        this.deliverFailClosed(full, outputs, receivedAt);
        if (before) this.undoUnrecorded(before, outputs);
      } else this.deliver(outputs, receivedAt);
      this.afterDelivery(outputs, at);
    });
  }

  /** Once an input's outputs went out: enforcement of an ignored `end_call`, and the session's end. */
  private afterDelivery(outputs: readonly SessionOutput[], at: number): void {
    if (outputs.some((o) => o.type === 'enforce_end')) this.startEnforcement(at);
    if (this.guarded.ended && !this.finished) this.finish(at);
  }

  /** Resolves once every submitted input has been delivered. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** Stops the timer and the statechart (shutdown: the registry then records the session's end). */
  dispose(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = null;
    this.finished = true;
    this.guarded.stop();
  }

  private enqueue(durable: Promise<boolean>, then: (ok: boolean) => void | Promise<void>): Promise<void> {
    const next = this.chain.then(() => durable).then(then);
    this.chain = next.catch((e) => this.logger.error({ err: e }, 'delivering session outputs failed'));
    return next;
  }

  private notifyObservers(input: SessionInput, outputs: readonly SessionOutput[], fate: InputFate): void {
    try {
      this.deps.observe?.(this, input, outputs, fate);
    } catch (e) {
      this.logger.error({ err: e }, 'a session observer failed');
    }
  }

  private persist(input: SessionInput, outputs: SessionOutput[]): Promise<boolean> {
    const { store } = this.deps;
    const row = inputRow(this.id, this.guarded.inputCount, input);
    const { items, loose } = recordItems(this.meta, this.guarded.policy, input, outputs);
    // One unit: the input's decisions, directives and CRM writes are all on disk, or none is.
    return store.recordInput({ input: row, items, outbox: loose }).then(
      () => true,
      (e) => {
        this.deps.metrics.storeFailures.inc();
        this.logger.error({ err: e, seq: row.seq }, 'durable write failed; answering fail-closed');
        return false;
      },
    );
  }

  private deliver(outputs: readonly SessionOutput[], receivedAt: number): void {
    for (const o of outputs) {
      switch (o.type) {
        case 'decision': {
          const d = o.decision;
          this.send({ type: 'decision', proposalId: d.proposalId, decision: d });
          this.deps.metrics.decisions.inc({ outcome: d.outcome });
          this.deps.metrics.decisionLatency.observe((this.deps.clock.now() - receivedAt) / 1000);
          this.logger.info(
            { decisionId: d.id, proposalId: d.proposalId, kind: d.kind, outcome: d.outcome },
            'decision',
          );
          break;
        }
        case 'directive': {
          const d = o.directive;
          if ((d.kind === 'end_call' || d.kind === 'hold') && this.stream?.bidirectional) this.stream.clear();
          this.send({ type: 'directive', directive: d });
          this.deps.metrics.directives.inc({ kind: d.kind });
          this.logger.info({ directiveId: d.id, kind: d.kind, rule: d.rule }, 'directive');
          break;
        }
        case 'approval_result':
          this.send({ type: 'approval_result', approvalId: o.approvalId, status: o.status, at: o.at });
          break;
        case 'do_not_call':
          this.logger.info({ contactId: this.meta.contactId ?? null }, 'do-not-call write queued');
          break;
        case 'enforce_end':
          break;
      }
    }
  }

  /**
   * The agent was told `deny` for a proposal whose outcome the store could not record: the session
   * goes back to where it was before it, as a deny leaves it. If that cannot be done exactly (more
   * inputs came since, or the proposal also moved the statechart to give directives), the session
   * is held instead: fail closed for the rest of the call.
   */
  private undoUnrecorded(before: SessionMark, outputs: readonly SessionOutput[]): void {
    const onlyDecisions = outputs.every((o) => o.type === 'decision');
    if (onlyDecisions && this.guarded.rewind(before)) {
      this.logger.warn({ seq: before.seq + 1 }, 'unrecorded proposal undone in the session');
      this.schedule();
      return;
    }
    this.logger.error({ seq: before.seq + 1 }, 'unrecorded proposal could not be undone; holding the session');
    if (this.decidedOnUnrecorded !== null) return;
    // The hold is the next input applied: every input between the unrecorded one and it was decided on top of it.
    this.decidedOnUnrecorded = { after: before.seq + 1, before: this.guarded.inputCount + 1 };
    this.submit({ type: 'hold', reason: UNRECORDED_HOLD_REASON, end: false }).catch((e) =>
      this.logger.error({ err: e }, 'holding the session failed'),
    );
  }

  private wasDecidedOnUnrecorded(seq: number): boolean {
    const range = this.decidedOnUnrecorded;
    return range !== null && seq > range.after && seq < range.before;
  }

  /**
   * An input decided on top of one the store could not record (and the session could not undo): its
   * decisions, though recorded, were made in a state the agent was told did not happen (a handoff
   * it heard denied). Each is answered with a fail-closed deny instead, recorded first (law 1).
   */
  private async deliverVoided(input: SessionInput, outputs: readonly SessionOutput[], receivedAt: number) {
    const safe = this.failClosedOutputs(
      input,
      outputs,
      'An earlier decision of this session could not be recorded, and this one was made after it.',
    );
    for (const o of safe) {
      if (o.type !== 'decision') continue;
      const { decision } = o;
      await this.deps.store
        .record({
          actor: `agent:${this.meta.agentId}`,
          decision,
          tenantId: this.meta.tenantId,
          agentId: this.meta.agentId,
        })
        .catch((err: unknown) => {
          // It is a deny: it goes out even if it could not be recorded.
          this.deps.metrics.storeFailures.inc();
          this.logger.error({ err, decisionId: decision.id }, 'the voiding deny could not be recorded');
        });
    }
    this.deliver(safe, receivedAt);
  }

  /** The store failed: no decision reaches the agent as it was made; restrictive directives still do. */
  private deliverFailClosed(input: SessionInput, outputs: readonly SessionOutput[], receivedAt: number): void {
    this.deliver(
      this.failClosedOutputs(input, outputs, 'The decision could not be recorded, so it was denied.'),
      receivedAt,
    );
  }

  /** `outputs` with each decision replaced by a GL_STORE_WRITE_FAILED deny (directives unchanged). */
  private failClosedOutputs(input: SessionInput, outputs: readonly SessionOutput[], detail: string): SessionOutput[] {
    return outputs.flatMap((o): SessionOutput[] => {
      if (o.type !== 'decision') return [o];
      const decision = failClosedDecision({
        sessionId: this.id,
        proposal: input.type === 'propose' ? input.proposal : { id: o.decision.proposalId, kind: o.decision.kind },
        policyVersion: this.guarded.policy.version,
        at: o.decision.at,
        seq: o.decision.stateRef.seq,
        code: 'GL_STORE_WRITE_FAILED',
        detail,
      });
      return [{ type: 'decision', decision }];
    });
  }

  private send(message: ServerMessage): void {
    try {
      this.agent?.send(message);
    } catch (e) {
      this.logger.warn({ err: e }, 'could not send to the agent');
    }
  }

  private noteEnd(outputs: readonly SessionOutput[], input: SessionInput): void {
    for (const o of outputs)
      if (o.type === 'directive' && o.directive.kind === 'end_call') this.endReason ??= o.directive.rule;
    if (input.type === 'event' && input.event === 'call_ended') this.endReason ??= 'call_ended';
  }

  private startEnforcement(at: number): void {
    if (this.enforcing) return;
    this.enforcing = true;
    this.endReason = `enforced:${this.endReason ?? 'end_call'}`;
    this.deps.metrics.enforcements.inc();
    this.deps.enforce(this, at).catch((e) => this.logger.error({ err: e }, 'enforcing the end failed'));
  }

  private finish(at: number): void {
    this.finished = true;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = null;
    this.deps.onEnded(this, at, this.endReason ?? 'ended');
  }

  private schedule(): void {
    if (this.guarded.ended) return;
    let due: number | null;
    try {
      due = this.guarded.nextDeadline();
    } catch (e) {
      this.logger.error({ err: e }, 'session failed to tell its next deadline; re-checking later');
      due = this.lastAt + RECHECK_MS;
    }
    if (due !== null && due <= this.lastAt) due = this.lastAt + RECHECK_MS;
    if (due === this.timerAt) return;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = due;
    if (due === null) return;
    this.timer = this.deps.clock.setTimeout(
      () => {
        this.timer = null;
        this.timerAt = null;
        this.submit({ type: 'tick' }).catch((e) => this.logger.error({ err: e }, 'tick failed'));
      },
      Math.max(0, due - this.deps.clock.now()),
    );
  }
}
