import type { Decision, Directive, SessionMeta } from '../model/index.ts';
import type { LoadedPolicy } from '../policy/index.ts';
import { GuardedSession } from '../session/guarded-session.ts';
import type { SessionInput } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';

/** Most timers that can fire between two inputs (a safety net against a deadline that never clears). */
const MAX_TIMERS_BETWEEN_INPUTS = 64;

/**
 * Feeds recorded inputs to a fresh GuardedSession. Two modes:
 * - `exact` (the recorded version): inputs go in as recorded, nothing added, so the outputs are
 *   the recorded ones byte for byte (law 6);
 * - `candidate` (another version): before each input the timers the candidate would have set are
 *   fired (ticks at their deadlines, as the live runtime's timer does), so timeouts can fire
 *   earlier; inputs after the session ended are dropped; a recorded switch to another version
 *   keeps the candidate. Shadow mode feeds live inputs through the same runner, so its decisions
 *   are a replay's.
 */
export class SessionRunner {
  readonly session: GuardedSession;
  readonly decisions: Decision[] = [];
  readonly directives: Directive[] = [];
  /** Inputs not applied because the session had already ended. */
  skipped = 0;
  /** Ticks fired by the candidate's own timers. */
  timersFired = 0;
  private lastAt = 0;

  constructor(
    meta: SessionMeta,
    policy: LoadedPolicy,
    readonly mode: 'exact' | 'candidate',
  ) {
    this.session = new GuardedSession(meta, policy);
  }

  /** Applies one recorded input; `unrecordedBefore`: inputs the live session undid just before it. */
  feed(input: SessionInput, unrecordedBefore = 0): SessionOutput[] {
    if (this.session.ended) {
      this.skipped++;
      return [];
    }
    if (unrecordedBefore > 0) this.session.skipInputs(unrecordedBefore);
    const outputs: SessionOutput[] = [];
    if (this.mode === 'candidate') {
      for (let n = 0; n < MAX_TIMERS_BETWEEN_INPUTS && !this.session.ended; n++) {
        const due = this.session.nextDeadline();
        if (due === null || due >= input.at || due <= this.lastAt) break;
        this.timersFired++;
        outputs.push(...this.apply({ type: 'tick', at: due }));
      }
      if (this.session.ended) {
        this.skipped++;
        return outputs;
      }
      if (input.type === 'policy')
        input = { ...input, version: this.session.policy.version, policy: this.session.policy.policy };
    }
    outputs.push(...this.apply(input));
    return outputs;
  }

  stop(): void {
    this.session.stop();
  }

  private apply(input: SessionInput): SessionOutput[] {
    this.lastAt = Math.max(this.lastAt, input.at);
    const outputs = this.session.apply(input);
    for (const o of outputs) {
      if (o.type === 'decision') this.decisions.push(o.decision);
      else if (o.type === 'directive') this.directives.push(o.directive);
    }
    return outputs;
  }
}
