import type { Logger } from 'pino';
import type { Policy } from '../../policies/schema.ts';
import { budgetDay, chargeDaily } from '../budgets/index.ts';
import { GuardlineError } from '../errors/index.ts';
import type { SessionMeta } from '../model/index.ts';
import type { BudgetRemaining } from '../session/inputs.ts';
import type { SessionOutput } from '../session/outputs.ts';
import type { BudgetEvent, BudgetMetric, Store } from '../store/types.ts';
import type { LiveSession } from './live-session.ts';

const GATED: readonly (keyof BudgetRemaining)[] = ['concession_percent_points', 'concession_usd', 'approvals'];
const NO_CAPS = { per_agent_daily: {}, per_tenant_daily: {} };

/**
 * Daily budgets per agent and per tenant (policy `budgets`), counted in the store so they hold
 * across sessions and nodes. Calls are counted (and refused past the cap) when a session opens;
 * concession value and approval requests are counted once decided. Every charge is announced by
 * the store (`onBudgetSpent`: on PostgreSQL to every node), and each live session of that agent or
 * tenant is then told what is left, as a recorded `budget` input the gate reads (`onSpent`).
 */
export class BudgetKeeper {
  /** Sessions being told what is left, and whether another charge came meanwhile (tell again). */
  private readonly refreshing = new Map<LiveSession, boolean>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  /** Counts a started call; throws GL_BUDGET_EXCEEDED when it would cross the agent's or tenant's cap. */
  async admitCall(meta: SessionMeta, policy: Policy, at: number): Promise<void> {
    const outcome = await chargeDaily(this.store, policy.budgets, { ...ids(meta), metric: 'calls', amount: 1, at });
    if (!outcome.ok) {
      const { scope, cap } = outcome.refused;
      throw new GuardlineError(
        'GL_BUDGET_EXCEEDED',
        `The ${scope}'s ${cap} calls for ${outcome.day} are used up.`,
        outcome.refused,
      );
    }
  }

  /** What is left today for this agent and tenant: the smaller of the two, null where neither has a cap. */
  async remaining(meta: SessionMeta, policy: Policy, at: number): Promise<BudgetRemaining> {
    const day = budgetDay(at);
    const entries = await Promise.all(
      GATED.map(async (metric) => {
        const caps: Array<[string, number | null | undefined]> = [
          [`agent:${meta.agentId}`, policy.budgets.per_agent_daily[metric]],
          [`tenant:${meta.tenantId}`, policy.budgets.per_tenant_daily[metric]],
        ];
        let left: number | null = null;
        for (const [scope, cap] of caps) {
          if (cap === null || cap === undefined) continue;
          const used = await this.store.budgets.get(scope, metric as BudgetMetric, day);
          left = Math.min(left ?? Number.POSITIVE_INFINITY, Math.max(0, cap - used));
        }
        return [metric, left] as const;
      }),
    );
    return Object.fromEntries(entries) as BudgetRemaining;
  }

  /**
   * Counts what `outputs` granted or requested (the gate already kept them within what was left,
   * so these are recorded without a cap). The store announces each charge (`onSpent`).
   */
  async spend(session: LiveSession, outputs: readonly SessionOutput[], at: number): Promise<void> {
    if (!outputs.some((o) => o.type === 'decision')) return;
    const uses: Array<{ metric: BudgetMetric; amount: number }> = [];
    const granted = session.guarded.view().negotiation.granted;
    for (const o of outputs) {
      if (o.type !== 'decision') continue;
      const d = o.decision;
      if (d.outcome === 'needs_approval') uses.push({ metric: 'approvals', amount: 1 });
      if (d.outcome !== 'allow' && d.outcome !== 'sanitize') continue;
      for (const g of granted) {
        if (g.proposalId !== d.proposalId || g.value === null) continue;
        if (g.unit === 'percent') uses.push({ metric: 'concession_percent_points', amount: g.value });
        if (g.unit === 'usd') uses.push({ metric: 'concession_usd', amount: g.value });
      }
    }
    if (uses.length === 0) return;
    const { tenantId, agentId } = session.meta;
    // Written out, not spread: see src/model/extended.ts.
    for (const use of uses)
      await chargeDaily(this.store, NO_CAPS, { tenantId, agentId, metric: use.metric, amount: use.amount, at });
    this.logger.debug({ uses, policyVersion: session.guarded.policy.policy.label }, 'budget spent');
  }

  /**
   * A charge was committed (on any node): tells each of `sessions` whose agent or tenant it
   * concerns what is left today (`now`), if it moved a counter the gate reads.
   */
  onSpent(event: BudgetEvent, sessions: readonly LiveSession[], now: () => number): void {
    const scopes = new Set(
      event.charges.filter((c) => GATED.includes(c.metric as keyof BudgetRemaining)).map((c) => c.scope),
    );
    if (scopes.size === 0) return;
    for (const session of sessions) {
      const { agentId, tenantId } = session.meta;
      if (!session.ended && (scopes.has(`tenant:${tenantId}`) || scopes.has(`agent:${agentId}`)))
        this.tell(session, now);
    }
  }

  /** One refresh at a time per session; charges that come meanwhile make it run once more. */
  private tell(session: LiveSession, now: () => number): void {
    if (this.refreshing.has(session)) {
      this.refreshing.set(session, true);
      return;
    }
    this.refreshing.set(session, false);
    void (async () => {
      try {
        do {
          this.refreshing.set(session, false);
          const remaining = await this.remaining(session.meta, session.guarded.policy.policy, now());
          if (session.ended) return;
          await session.submit({ type: 'budget', remaining });
        } while (this.refreshing.get(session));
      } catch (e) {
        session.logger.warn({ err: e }, 'could not update a budget');
      } finally {
        this.refreshing.delete(session);
      }
    })();
  }
}

const ids = (meta: SessionMeta) => ({ tenantId: meta.tenantId, agentId: meta.agentId });
