import type { GrantedConcession, Override } from '../../../machines/session/types.ts';
import type { ConcessionBounds } from '../../../policies/schema.ts';
import type { Evidence } from '../../model/decision.ts';
import type { ConcessionParams } from '../../model/proposal.ts';
import { narrowestTier, type Tier } from '../../model/roles.ts';
import { tierVerdict } from '../tiers.ts';
import type { SessionView, Verdict } from '../types.ts';
import { allow, deny, extended, hold, reason } from '../verdict.ts';

export interface ConcessionContext {
  proposalId: string;
  /** Concessions already granted earlier in the same proposal (a `say` may carry several). */
  earlier: readonly GrantedConcession[];
  override: Override | null;
  evidence?: Evidence;
  /** The same utterance makes the required disclosure before the offer. */
  disclosedNow?: boolean;
}

const UNIT = { percent_off: 'percent', amount_off: 'usd', free_period: 'months' } as const;
type Sized = keyof typeof UNIT;

function describe(c: ConcessionParams): string {
  switch (c.type) {
    case 'percent_off':
      return `${c.value ?? '?'}% off`;
    case 'amount_off':
      return `$${c.value ?? '?'} off`;
    case 'free_period':
      return `${c.value ?? '?'} free month${c.value === 1 ? '' : 's'}`;
    case 'price':
      return `a price of $${c.value ?? '?'}`;
    case 'waived_fee':
      return `waiving ${c.label ?? 'a fee'}`;
    case 'price_match':
      return 'matching a competitor’s price';
  }
}

/** Decides one concession against the role's negotiation bounds (auto, approval, count, cumulative). */
export function concessionVerdict(view: SessionView, c: ConcessionParams, ctx: ConcessionContext): Verdict {
  const rolePolicy = view.policy.policy.roles[view.role];
  const bounds = rolePolicy.concessions;
  const what = describe(c);
  const base = { role: view.role, concession: what };
  const ev = ctx.evidence;
  const roleTier: Tier = rolePolicy.tiers.concession ?? 'forbidden';

  if (c.type === 'price') {
    const floor = bounds.price_floor_usd;
    if (floor !== null && c.value !== null && c.value < floor) {
      return deny(
        reason(
          'concession.price_floor',
          `Quoting ${what} is below the $${floor} floor.`,
          extended(base, { floor }),
          ev,
        ),
      );
    }
    return allow(reason('concession.price_quote', `Quoting ${what} is at or above the floor.`, base, ev));
  }

  const tier =
    c.type === 'waived_fee'
      ? narrowestTier(roleTier, bounds.waive_fee)
      : c.type === 'price_match'
        ? narrowestTier(roleTier, bounds.price_match)
        : roleTier;
  if (tier === 'forbidden' || tier === 'suggest') {
    return withEvidence(tierVerdict(tier, `Offering ${what}`, 'concession.tier', base), ev);
  }
  if (view.consent === 'required' && !ctx.disclosedNow) {
    return deny(
      reason(
        'consent.disclose_first',
        'Make the required disclosure before offering anything.',
        extended(base, { consent: view.consent }),
        ev,
      ),
    );
  }
  if (view.pending && !ctx.override) {
    return deny(
      reason(
        'concession.approval_pending',
        `Held: approval ${view.pending.approvalId} is still pending, so no further concession may be offered until it resolves.`,
        extended(base, { approvalId: view.pending.approvalId }),
        ev,
      ),
    );
  }
  const count = view.negotiation.granted.length + ctx.earlier.length;
  if (count >= bounds.max_count && !ctx.override) {
    return deny(
      reason(
        'concession.max_count',
        `${count} concession${count === 1 ? ' has' : 's have'} already been granted on this call; the limit is ${bounds.max_count}.`,
        extended(base, { count, max: bounds.max_count }),
        ev,
      ),
    );
  }
  if (ctx.override) {
    return allow(
      reason(
        'concession.override',
        `Offering ${what} was approved by ${ctx.override.approvers.join(' and ')} (override ${ctx.override.id}).`,
        extended(base, { override: ctx.override.id }),
        ev,
      ),
      {
        overrideUsed: ctx.override.id,
        concessions: [granted(ctx.proposalId, c)],
      },
    );
  }
  if (c.type === 'waived_fee' || c.type === 'price_match') {
    const v = withEvidence(
      tierVerdict(tier, `Offering ${what}`, 'concession.tier', base, {
        type: c.type,
        value: null,
        label: c.label ?? null,
      }),
      ev,
    );
    return v.outcome === 'allow' ? extended(v, { concessions: [granted(ctx.proposalId, c)] }) : v;
  }
  return sizedVerdict(view, extended(c, { type: c.type }), ctx, bounds, tier, what, base);
}

function sizedVerdict(
  view: SessionView,
  c: ConcessionParams & { type: Sized },
  ctx: ConcessionContext,
  bounds: ConcessionBounds,
  tier: Tier,
  what: string,
  base: Record<string, unknown>,
): Verdict {
  const ev = ctx.evidence;
  if (c.value === null) {
    return deny(
      reason(
        'concession.unsized',
        `The size of ${what} is unclear; state the exact amount so it can be checked.`,
        base,
        ev,
      ),
    );
  }
  const [auto, ceiling, unitWord] =
    c.type === 'percent_off'
      ? [bounds.auto_max_percent, bounds.approval_max_percent, '%']
      : c.type === 'amount_off'
        ? [bounds.auto_max_usd, bounds.approval_max_usd, ' USD']
        : [bounds.auto_max_free_months, bounds.approval_max_free_months, ' months'];
  const facts = extended(base, { value: c.value, autoMax: auto, approvalMax: ceiling });
  if (c.value > ceiling) {
    return deny(
      reason(
        'concession.above_bound',
        `${what} is above the ${ceiling}${unitWord} this role may offer even with approval.`,
        facts,
        ev,
      ),
    );
  }
  const bound = { type: c.type, value: c.value, unit: UNIT[c.type] };
  if (c.value > auto || tier !== 'autonomous') {
    const why =
      c.value > auto
        ? `${what} is above the ${auto}${unitWord} the agent may offer on its own (approval up to ${ceiling}${unitWord}).`
        : `Every concession needs approval in this role.`;
    return hold(reason('concession.needs_approval', why, extended(facts, { tier }), ev), bound);
  }
  if (c.type === 'free_period')
    return allow(reason('concession.within_bounds', `${what} is within the ${auto}${unitWord} allowed.`, facts, ev), {
      concessions: [granted(ctx.proposalId, c)],
    });

  const [cap, sofar] =
    c.type === 'percent_off'
      ? [bounds.cumulative_max_percent, view.negotiation.cumulativePercent + sumOf(ctx.earlier, 'percent')]
      : [bounds.cumulative_max_usd, view.negotiation.cumulativeUsd + sumOf(ctx.earlier, 'usd')];
  if (sofar + c.value <= cap) {
    return allow(
      reason(
        'concession.within_bounds',
        `${what} is within bounds (${sofar + c.value}${unitWord} of ${cap}${unitWord} on this call).`,
        extended(facts, { cumulative: sofar + c.value, cap }),
        ev,
      ),
      {
        concessions: [granted(ctx.proposalId, c)],
      },
    );
  }
  const room = cap - sofar;
  const capFacts = extended(facts, { cumulativeBefore: sofar, cap, room });
  if (room > 0 && bounds.over_cumulative === 'sanitize') {
    const clipped = extended(c, { value: room });
    return {
      outcome: 'sanitize',
      rationale: [
        reason(
          'concession.cumulative_clipped',
          `${what} would take this call past its ${cap}${unitWord} total; offer ${room}${unitWord} instead.`,
          capFacts,
          ev,
        ),
      ],
      sanitized: { type: c.type, value: room },
      concessions: [granted(ctx.proposalId, clipped)],
    };
  }
  return deny(
    reason(
      'concession.cumulative_cap',
      `${what} would take this call past its ${cap}${unitWord} total (already ${sofar}${unitWord}).`,
      capFacts,
      ev,
    ),
  );
}

function granted(proposalId: string, c: ConcessionParams): GrantedConcession {
  const unit = c.type === 'percent_off' || c.type === 'amount_off' || c.type === 'free_period' ? UNIT[c.type] : null;
  return { proposalId, kind: c.type, value: c.value, unit };
}

function sumOf(list: readonly GrantedConcession[], unit: 'percent' | 'usd'): number {
  return list.filter((g) => g.unit === unit).reduce((t, g) => t + (g.value ?? 0), 0);
}

function withEvidence(v: Verdict, evidence: Evidence | undefined): Verdict {
  return evidence ? extended(v, { rationale: v.rationale.map((r) => extended(r, { evidence })) }) : v;
}
