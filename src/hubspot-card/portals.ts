import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { parseJsonEnv } from './json-env.ts';

export const PORTALS_ENV = 'GUARDLINE_HUBSPOT_PORTALS';

const HubSpotPortals = z
  .record(z.string().regex(/^[1-9]\d{0,19}$/, 'keys are HubSpot account (portal) ids'), z.string().min(1).max(200))
  .refine((portals) => Object.keys(portals).length > 0, 'name at least one HubSpot account');

/**
 * The HubSpot accounts the card serves, and the tenant each one is: `GUARDLINE_HUBSPOT_PORTALS`, JSON
 * such as `{ "12345": "acme", "67890": "beta" }`. Null when unset: a card request from any account
 * the app is installed in is served, unscoped. Malformed → `GL_CONFIG_INVALID`.
 */
export function parseHubSpotPortals(value: string | undefined): ReadonlyMap<string, string> | null {
  const portals = parseJsonEnv(PORTALS_ENV, value, HubSpotPortals);
  return portals ? new Map(Object.entries(portals)) : null;
}

/**
 * The tenant a signed card request acts for: its account's, when `portals` is configured (an account
 * not in it is refused, 403 `GL_AUTH_SCOPE`); undefined (every tenant) when it is not.
 */
export function tenantForPortal(portals: ReadonlyMap<string, string> | null, portalId: string): string | undefined {
  if (!portals) return undefined;
  const tenant = portals.get(portalId);
  if (tenant === undefined) {
    throw new GuardlineError('GL_AUTH_SCOPE', `HubSpot account ${portalId} is not one this Guardline serves.`);
  }
  return tenant;
}
