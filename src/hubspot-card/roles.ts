import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { ViewerRole } from './contract.ts';

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
  if (value === undefined || value.trim() === '') return { approver: [], manager: [] };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new GuardlineError('GL_CONFIG_INVALID', `${ROLE_MAPPING_ENV} is not valid JSON.`);
  }
  const parsed = HubSpotRoleMapping.safeParse(json);
  if (!parsed.success) {
    throw new GuardlineError('GL_CONFIG_INVALID', `${ROLE_MAPPING_ENV} does not match its schema.`, {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    });
  }
  return parsed.data;
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
