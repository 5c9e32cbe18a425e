import type { Logger } from 'pino';
import type { SessionMeta } from '../model/index.ts';
import type { LiveSession } from '../runtime/live-session.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { Store, SuspensionRow } from '../store/types.ts';
import { covers, suspendedError, suspensionMessage } from './service.ts';

/**
 * The kill switch on one runtime node: refuses new sessions and proposals of what is suspended
 * (GL_SUSPENDED), tells matching live sessions `hold` (or `end_call`) as soon as it learns of a
 * suspension, and `resume` once every suspension holding them is lifted. It learns from the store
 * (`refresh`, polled; so suspensions set on any node or by the CLI reach every node).
 */
export class SuspensionEnforcer {
  private active: SuspensionRow[] = [];
  /** Session id → the suspensions that hold it. */
  private readonly holding = new Map<string, Set<string>>();
  private readonly check = (meta: SessionMeta) => {
    const hit = this.active.find((s) => covers(s, meta));
    if (hit) throw suspendedError(hit);
  };

  constructor(
    private readonly store: Store,
    private readonly registry: SessionRegistry,
    private readonly logger: Logger,
  ) {
    registry.admission.add(this.check);
  }

  detach(): void {
    this.registry.admission.delete(this.check);
  }

  /** Reads the active suspensions and applies them to live sessions. */
  async refresh(): Promise<void> {
    this.active = await this.store.suspensions.listActive();
    const ids = new Set(this.active.map((s) => s.id));
    const work: Promise<void>[] = [];
    for (const session of this.registry.sessions()) {
      if (session.ended) continue;
      const held = this.holding.get(session.id) ?? new Set<string>();
      const hit = this.active.find((s) => covers(s, session.meta) && !held.has(s.id));
      if (hit) {
        held.add(hit.id);
        for (const s of this.active) if (covers(s, session.meta)) held.add(s.id);
        this.holding.set(session.id, held);
        work.push(this.hold(session, hit));
        continue;
      }
      if (held.size > 0 && [...held].every((id) => !ids.has(id))) {
        this.holding.delete(session.id);
        work.push(
          session
            .submit({ type: 'resume' })
            .catch((e) => session.logger.error({ err: e }, 'resuming after a suspension failed')),
        );
      }
    }
    for (const id of this.holding.keys()) if (!this.registry.get(id)) this.holding.delete(id);
    await Promise.all(work);
  }

  private hold(session: LiveSession, s: SuspensionRow): Promise<void> {
    this.logger.info({ sessionId: session.id, suspensionId: s.id, action: s.action }, 'suspension applied');
    return session
      .submit({ type: 'hold', reason: suspensionMessage(s).slice(0, 500), end: s.action === 'end_call' })
      .catch((e) => session.logger.error({ err: e }, 'holding a suspended session failed'));
  }
}
