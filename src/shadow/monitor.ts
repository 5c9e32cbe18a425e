import type { Logger } from 'pino';
import type { LoadedPolicy } from '../policy/index.ts';
import { SessionRunner } from '../replay/runner.ts';
import type { InputFate, LiveSession } from '../runtime/live-session.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { SessionInput } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';
import type { Store } from '../store/types.ts';

/**
 * Shadow mode on one runtime node: each session that starts while a candidate version is set
 * also runs on the candidate, fed every input the live session applies and the store records,
 * through the same SessionRunner a replay uses (so the shadow's decisions are exactly a
 * replay's). The agent only ever gets the active decision; the shadow's are stored (and counted
 * in the report).
 */
export class ShadowMonitor {
  private candidate: LoadedPolicy | null = null;
  private readonly runners = new Map<
    string,
    { runner: SessionRunner; candidate: string; stored: number; unrecorded: number }
  >();
  private writes: Promise<unknown> = Promise.resolve();
  readonly counts = { sessions: 0, decisions: 0 };
  private readonly observe = (
    session: LiveSession,
    input: SessionInput,
    outputs: readonly SessionOutput[],
    fate: InputFate,
  ) => this.onInput(session, input, outputs, fate);

  constructor(
    private readonly store: Store,
    private readonly registry: SessionRegistry,
    private readonly logger: Logger,
  ) {
    registry.observers.add(this.observe);
  }

  detach(): void {
    this.registry.observers.delete(this.observe);
    for (const { runner } of this.runners.values()) runner.stop();
    this.runners.clear();
  }

  get candidateVersion(): string | null {
    return this.candidate?.version ?? null;
  }

  /** New sessions from now on are shadowed by `candidate` (null: none). Running shadows finish. */
  setCandidate(candidate: LoadedPolicy | null): void {
    this.candidate = candidate;
  }

  /** Resolves once every shadow decision so far is stored. */
  flush(): Promise<unknown> {
    return this.writes;
  }

  /**
   * Feeds the shadow what a replay of the session's recording would get: the recorded inputs, and
   * for an input the store could not record only the number it used (replay skips it too).
   */
  private onInput(
    session: LiveSession,
    input: SessionInput,
    _outputs: readonly SessionOutput[],
    fate: InputFate,
  ): void {
    let entry = this.runners.get(session.id);
    if (fate === 'unrecorded') {
      if (entry) entry.unrecorded++;
      return;
    }
    if (
      !entry &&
      input.type === 'start' &&
      this.candidate &&
      this.candidate.version !== session.guarded.policy.version
    ) {
      entry = {
        runner: new SessionRunner(session.meta, this.candidate, 'candidate'),
        candidate: this.candidate.version,
        stored: 0,
        unrecorded: 0,
      };
      this.runners.set(session.id, entry);
      this.counts.sessions++;
      const { candidate } = entry;
      this.write(() => this.store.shadow.addSession(candidate, session.id, input.at));
    }
    if (!entry) return;
    entry.runner.feed(input, entry.unrecorded);
    entry.unrecorded = 0;
    const fresh = entry.runner.decisions
      .slice(entry.stored)
      .map((decision, i) => ({ ord: entry.stored + i, decision }));
    entry.stored = entry.runner.decisions.length;
    if (fresh.length > 0) {
      this.counts.decisions += fresh.length;
      const { candidate } = entry;
      this.write(() => this.store.shadow.addDecisions(candidate, session.id, fresh));
    }
    if (session.guarded.ended || (input.type === 'event' && input.event === 'call_ended')) {
      entry.runner.stop();
      this.runners.delete(session.id);
    }
  }

  private write(fn: () => Promise<unknown>): void {
    this.writes = this.writes
      .then(fn)
      .catch((e) => this.logger.error({ err: e }, 'storing a shadow decision failed (the agent is unaffected)'));
  }
}
