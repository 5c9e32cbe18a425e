import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { ViewerRole } from './contract.ts';
import { parseJsonEnv } from './json-env.ts';

export { ViewerRole };

const HubSpotId = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]).transform(String);

/** Who may approve and who may tune policy. Entries are HubSpot user ids or `team:<teamId>`. */
export const HubSpotRoleMapping = z
  .object({
    approver: z.array(z.union([HubSpotId, z.string().regex(/^team:\d{1,20}$/)])).default([]),
    manager: z.array(z.union([HubSpotId, z.string().regex(/^team:\d{1,20}$/)])).default([]),
  })
  .strict();
export type HubSpotRoleMapping = z.infer<typeof HubSpotRoleMapping>;

export const ROLE_MAPPING_ENV = 'GUARDLINE_HUBSPOT_ROLES';

/**
 * Parses `GUARDLINE_HUBSPOT_ROLES`, JSON such as `{ "approver": ["123", "team:77"], "manager": ["456"] }`.
 * Unset or empty means nobody has a role beyond `rep` (fail closed). Malformed → `GL_CONFIG_INVALID`.
 */
export function parseHubSpotRoleMapping(value: string | undefined): HubSpotRoleMapping {
  return parseJsonEnv(ROLE_MAPPING_ENV, value, HubSpotRoleMapping) ?? { approver: [], manager: [] };
}

function listed(entries: readonly string[], userId: string, teamIds: readonly string[]): boolean {
  return entries.some((entry) =>
    entry.startsWith('team:') ? teamIds.includes(entry.slice('team:'.length)) : entry === userId,
  );
}

/**
 * The Guardline role of a HubSpot user: `manager` if listed (by id or team) as manager, else `approver`
 * if listed as approver, else `rep`. `teams` must come from a source the server trusts (HubSpot's users
 * API), never from the card's request body. Pure and Fastify-agnostic.
 */
export function roleForHubSpotUser(
  userId: string | number,
  teams: readonly (string | number)[],
  mapping: HubSpotRoleMapping,
): ViewerRole {
  const id = String(userId);
  const teamIds = teams.map(String);
  if (listed(mapping.manager, id, teamIds)) return 'manager';
  if (listed(mapping.approver, id, teamIds)) return 'approver';
  return 'rep';
}

/** Managers approve exceptions too (DESIGN: "Managers / RevOps: approve exceptions"). */
export function canApprove(role: ViewerRole): boolean {
  return role === 'approver' || role === 'manager';
}

export function canTunePolicy(role: ViewerRole): boolean {
  return role === 'manager';
}

/** Throws `GL_AUTH_ROLE` (403) unless the role allows the action. */
export function requireRole(role: ViewerRole, action: 'approve' | 'tune_policy'): void {
  const allowed = action === 'approve' ? canApprove(role) : canTunePolicy(role);
  if (!allowed) {
    throw new GuardlineError(
      'GL_AUTH_ROLE',
      action === 'approve'
        ? 'Approving needs the approver or manager role.'
        : 'Changing policy needs the manager role.',
    );
  }
}
