import { GuardlineError } from '../errors/index.ts';

/** Who is looking: a user whose token names a tenant, or (no tenant) an operator of every tenant. */
export interface TenantViewer {
  tenantId?: string | undefined;
}

/**
 * Whether `viewer` may see what belongs to `tenantId`: a user whose token names a tenant sees that
 * tenant's only (nothing without a tenant); a user without one (an operator) sees every tenant's.
 * The one rule for the HTTP API, the console, the CRM card and the shadow report.
 */
export function tenantVisible(viewer: TenantViewer, tenantId: string | null | undefined): boolean {
  return viewer.tenantId === undefined || tenantId === viewer.tenantId;
}

/**
 * The policy is one for every tenant: changing it (publishing, approving a publication, rolling
 * back, shadowing, tuning) takes a user whose token names no tenant. A user of one tenant gets 403
 * GL_AUTH_SCOPE: the change would reach every other tenant's calls.
 */
export function requireEveryTenant(viewer: TenantViewer, what: string): void {
  if (viewer.tenantId === undefined) return;
  throw new GuardlineError(
    'GL_AUTH_SCOPE',
    `${what} changes the policy every tenant's calls run on; a user of tenant ${viewer.tenantId} may not.`,
  );
}
