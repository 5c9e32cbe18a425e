import type { Logger } from 'pino';
import type { z } from 'zod';
import { GuardlineError, isGuardlineError } from '../errors/index.ts';
import type { SessionMeta } from '../model/index.ts';
import type { LoadedPolicy } from '../policy/index.ts';
import { GuardedSession } from '../session/guarded-session.ts';
import type { OverrideGrant as OverrideGrantSchema, SessionInput } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';
import type { ApprovalEvent, Store } from '../store/types.ts';
import type { BudgetKeeper } from './budgets.ts';
import type { Clock } from './clock.ts';
import { type InputFate, LiveSession } from './live-session.ts';
import type { Metrics } from './metrics.ts';
import { NodeLiveness } from './node-liveness.ts';
import { recordSessionEnd } from './session-end.ts';

export interface RegistryDeps {
  store: Store;
  clock: Clock;
  metrics: Metrics;
  logger: Logger;
  policy: LoadedPolicy;
  /** Guardline's public URL (call records link to the session there). */
  publicUrl: string;
  /** Ends a call whose agent ignored `end_call` (closes its stream, completes it at Twilio, records what it did). */
  enforce(session: LiveSession, at: number): Promise<void>;
  /** Daily budgets across sessions; absent in tests that don't exercise them. */
  budgets?: BudgetKeeper;
}

/**
 * How often a live session waiting on an approval looks its result up in the store: the safety
 * net for a notification that never came (a dropped PostgreSQL LISTEN connection misses those
 * sent while it reconnects).
 */
const APPROVAL_RECHECK_MS = 2000;

/** Why a session still live when its node shut down ended. */
export const SHUTDOWN_END_REASON = 'shutdown';

/**
 * Every live session on this node, by id. Opens a session (durable `session_started` before the
 * agent hears `ready`), routes approval results from the store to the session that waits for
 * them, and on shutdown holds every session.
 */
export class SessionRegistry {
  private readonly live = new Map<string, LiveSession>();
  private readonly opening = new Set<string>();
  private policy: LoadedPolicy;
  private unsubscribe: (() => void) | null = null;
  private recheck: NodeJS.Timeout | null = null;
  /** Per live session, the approval results given to it (each goes in once). */
  private readonly approvalsDelivered = new Map<string, Set<string>>();
  private rechecking = false;
  private closing = false;
  /** Session ends (and call records) still being written: close() waits for them before the store closes. */
  private readonly ending = new Set<Promise<void>>();
  /**
   * Checks run before a session opens and before each proposal (the kill switch, src/suspensions):
   * throw a GuardlineError (GL_SUSPENDED) to refuse. Nothing is applied or recorded when one throws.
   */
  readonly admission = new Set<(meta: SessionMeta, what: 'open' | 'propose') => void>();
  /**
   * Told every applied input, its outputs and their fate as they are delivered (shadow mode,
   * src/shadow); must not throw.
   */
  readonly observers = new Set<
    (session: LiveSession, input: SessionInput, outputs: readonly SessionOutput[], fate: InputFate) => void
  >();

  /** This node's heartbeat in the store, and the sweep that ends sessions of lost nodes. */
  readonly liveness: NodeLiveness;

  constructor(private readonly deps: RegistryDeps) {
    this.policy = deps.policy;
    this.liveness = new NodeLiveness({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      publicUrl: deps.publicUrl,
      isLiveHere: (id) => this.live.has(id) || this.opening.has(id),
    });
  }

  /** Listens for approval results and budget charges (from this node and, on PostgreSQL, every other). */
  async start(): Promise<void> {
    await this.liveness.start();
    const approvals = await this.deps.store.onApproval((event) => {
      this.onApproval(event).catch((e) =>
        this.deps.logger.error({ err: e, approvalId: event.approvalId }, 'approval routing failed'),
      );
    });
    const budgets = this.deps.budgets;
    const charges = budgets
      ? await this.deps.store.onBudgetSpent((event) =>
          budgets.onSpent(event, this.sessions(), () => this.deps.clock.now()),
        )
      : () => {};
    this.unsubscribe = () => {
      approvals();
      charges();
    };
    this.recheck = setInterval(() => void this.recheckApprovals(), APPROVAL_RECHECK_MS);
    this.recheck.unref();
  }

  /** Delivers the result of every approval a live session waits on that the store has decided. */
  private async recheckApprovals(): Promise<void> {
    if (this.rechecking || this.closing) return;
    this.rechecking = true;
    try {
      for (const session of this.sessions()) {
        const approvalId = session.ended ? null : session.guarded.pendingApprovalId;
        if (!approvalId) continue;
        const row = await this.deps.store.approvals.get(approvalId);
        if (row?.status !== 'approved' && row?.status !== 'denied') continue;
        session.logger.warn(
          { approvalId: row.id, status: row.status },
          'approval result found without its notification',
        );
        await this.onApproval({ approvalId: row.id, status: row.status, sessionId: session.id });
      }
    } catch (e) {
      this.deps.logger.error({ err: e }, 'looking up pending approvals failed');
    } finally {
      this.rechecking = false;
    }
  }

  get size(): number {
    return this.live.size;
  }

  get currentPolicy(): LoadedPolicy {
    return this.policy;
  }

  /** New sessions start on `policy`; live ones keep the version they started with. */
  setPolicy(policy: LoadedPolicy): void {
    this.policy = policy;
  }

  get(sessionId: string): LiveSession | undefined {
    return this.live.get(sessionId);
  }

  sessions(): LiveSession[] {
    return [...this.live.values()];
  }

  /** Opens and starts a session. Throws GL_SESSION_CONFLICT if the id is live, opening, or was recorded before. */
  /** `onOpen` runs before the session's first input, so its ports are attached before any output. */
  async open(
    meta: SessionMeta,
    transport: 'agent' | 'twilio',
    onOpen: (session: LiveSession) => void = () => {},
  ): Promise<LiveSession> {
    this.refuseIfClosing();
    for (const check of this.admission) check(meta, 'open');
    const id = meta.sessionId;
    if (this.live.has(id) || this.opening.has(id))
      throw new GuardlineError('GL_SESSION_CONFLICT', `Session ${id} is live.`);
    this.opening.add(id);
    try {
      const policy = this.policy;
      const budgets = this.deps.budgets;
      const openedAt = this.deps.clock.now();
      // A reused session id is refused before the call is counted: a refused hello changes nothing.
      if (budgets && (await this.deps.store.sessions.get(id))) {
        throw new GuardlineError('GL_SESSION_CONFLICT', `Session ${id} was recorded before.`);
      }
      const remaining = budgets ? await budgets.remaining(meta, policy.policy, openedAt) : null;
      this.refuseIfClosing();
      if (budgets) await budgets.admitCall(meta, policy.policy, openedAt);
      try {
        await this.deps.store.sessions.create(meta, policy.version, this.deps.clock.now(), this.liveness.nodeId);
      } catch (e) {
        if (isGuardlineError(e) && e.code === 'GL_STORE_CONFLICT') {
          throw new GuardlineError('GL_SESSION_CONFLICT', `Session ${id} was recorded before.`);
        }
        throw e;
      }
      // holdAll may have run while this session was being recorded: it would never be held.
      this.refuseIfClosing();
      const logger = this.deps.logger.child({ sessionId: id, callId: meta.callId });
      const session = new LiveSession(new GuardedSession(meta, policy), {
        store: this.deps.store,
        clock: this.deps.clock,
        metrics: this.deps.metrics,
        logger,
        enforce: this.deps.enforce,
        onEnded: (s, at, reason) => this.onEnded(s, at, reason),
        admit: (what) => {
          for (const check of this.admission) check(meta, what);
        },
        observe: (s, input, outputs, fate) => {
          for (const observer of this.observers) observer(s, input, outputs, fate);
          // Only decisions the agent got as made spend budget (the others were answered deny), and
          // the live sessions are listed only when one did.
          if (fate !== 'delivered' || !budgets || !outputs.some((o) => o.type === 'decision')) return;
          budgets.spend(s, outputs, input.at).catch((e) => logger.error({ err: e }, 'counting daily budgets failed'));
        },
      });
      this.live.set(id, session);
      this.deps.metrics.liveSessions = this.live.size;
      this.deps.metrics.sessionsStarted.inc({ transport });
      logger.info(
        { role: meta.role, channel: meta.channel, transport, policyVersion: policy.version },
        'session opened',
      );
      onOpen(session);
      session.submit({ type: 'start' }).catch((e) => logger.error({ err: e }, 'starting the session failed'));
      if (remaining) {
        session
          .submit({ type: 'budget', remaining })
          .catch((e) => logger.error({ err: e }, 'recording budgets failed'));
      }
      return session;
    } finally {
      this.opening.delete(id);
    }
  }

  private refuseIfClosing(): void {
    if (this.closing) throw new GuardlineError('GL_SERVER_SHUTTING_DOWN');
  }

  /** Stops taking sessions and tells each live one `hold`; resolves once those are durable and delivered. */
  async holdAll(reason: string): Promise<void> {
    this.closing = true;
    const sessions = this.sessions();
    await Promise.all(
      sessions.map((s) =>
        s
          .submit({ type: 'hold', reason, end: false })
          .catch((e) => s.logger.error({ err: e }, 'could not hold the session')),
      ),
    );
    await Promise.all(sessions.map((s) => s.drain()));
  }

  /**
   * Stops every timer (after holdAll) and ends each session still live, in the store, with reason
   * `shutdown` and its call record: no node can take it up again (its id is recorded), so left open
   * it would stay live in every list for good. Waits for every session end being written.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.recheck) clearInterval(this.recheck);
    this.recheck = null;
    const at = this.deps.clock.now();
    for (const s of [...this.live.values()]) {
      s.dispose();
      this.onEnded(s, at, SHUTDOWN_END_REASON);
    }
    await Promise.all(this.ending);
    this.live.clear();
    this.deps.metrics.liveSessions = 0;
    await this.liveness.stop();
  }

  private onEnded(session: LiveSession, at: number, reason: string): void {
    if (this.live.get(session.id) === session) this.live.delete(session.id);
    this.approvalsDelivered.delete(session.id);
    this.deps.metrics.liveSessions = this.live.size;
    session.logger.info({ reason }, 'session ended');
    const written = recordSessionEnd(this.deps.store, session.meta, at, reason, this.deps.publicUrl).catch((e) =>
      session.logger.error({ err: e }, 'recording the session end failed'),
    );
    this.ending.add(written);
    void written.finally(() => this.ending.delete(written));
  }

  private async onApproval(event: ApprovalEvent): Promise<void> {
    if (event.status !== 'approved' && event.status !== 'denied') return;
    const session = this.live.get(event.sessionId);
    if (!session || session.ended) return;
    const row = await this.deps.store.approvals.get(event.approvalId);
    if (!row) return;
    let override: z.infer<typeof OverrideGrantSchema> | null = null;
    if (event.status === 'approved' && row.overrideId) {
      const o = await this.deps.store.overrides.get(row.overrideId);
      if (o) {
        override = {
          id: o.id,
          approvalId: o.approvalId,
          kind: o.kind,
          paramsHash: o.paramsHash,
          bound: o.bound,
          expiresAt: o.expiresAt,
          approvers: row.votes.filter((v) => v.verdict === 'approve').map((v) => v.approverId),
        };
      }
    }
    // Once only: the notification and the recheck may both come.
    const delivered = this.approvalsDelivered.get(session.id) ?? new Set<string>();
    if (session.ended || delivered.has(event.approvalId)) return;
    delivered.add(event.approvalId);
    this.approvalsDelivered.set(session.id, delivered);
    await session.submit({ type: 'approval', approvalId: event.approvalId, status: event.status, override });
  }
}
