import { z } from 'zod';

/** The agent's role in the sales motion. A role changes only through a `role_handoff` proposal. */
export const Role = z.enum(['booking', 'transfer', 'closing']);
export type Role = z.infer<typeof Role>;

/** What an agent may do with an action kind in its current role, narrowest first. */
export const Tier = z.enum(['forbidden', 'suggest', 'draft', 'execute_with_approval', 'autonomous']);
export type Tier = z.infer<typeof Tier>;

export const TIER_ORDER: readonly Tier[] = Tier.options;

/** The narrower of two tiers. */
export function narrowestTier(a: Tier, b: Tier): Tier {
  return TIER_ORDER.indexOf(a) <= TIER_ORDER.indexOf(b) ? a : b;
}
