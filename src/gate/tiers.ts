import type { Tier } from '../model/roles.ts';
import type { Verdict } from './types.ts';
import { allow, deny, extended, hold, reason } from './verdict.ts';

/**
 * What a tier means for one act. `forbidden` and `suggest` deny (a suggestion is for a human to
 * act on); `draft` and `execute_with_approval` hold the act for approval; `autonomous` allows it,
 * subject to the act's own bounds checked elsewhere.
 */
export function tierVerdict(
  tier: Tier,
  what: string,
  rule: string,
  facts: Record<string, unknown>,
  bound: Record<string, unknown> = {},
): Verdict {
  const f = extended(facts, { tier });
  switch (tier) {
    case 'forbidden':
      return deny(reason(rule, `${what} is forbidden in this role.`, f));
    case 'suggest':
      return deny(reason(rule, `${what} may only be suggested to a human in this role, not done by the agent.`, f));
    case 'draft':
      return hold(reason(rule, `${what} is drafted for a human to review before it happens.`, f), bound);
    case 'execute_with_approval':
      return hold(reason(rule, `${what} needs a manager's approval in this role.`, f), bound);
    case 'autonomous':
      return allow(reason(rule, `${what} is within this role's autonomy.`, f));
  }
}
