/** Shared by the HTTP API tests (approvals, sessions, CRM writes, multi-node): user tokens and a JSON call. */
import { mintToken, type UserRole } from '../src/auth/index.ts';
import { SECRET } from './server-harness.ts';

/** A user token; with `tenantId`, the user belongs to that tenant (an operator has none). */
export const userToken = (userId: string, roles: UserRole[], secret = SECRET, tenantId?: string) =>
  mintToken(secret, { kind: 'user', userId, roles, ...(tenantId ? { tenantId } : {}) }, { ttlSeconds: 600 });

/** One request with an optional bearer token; `body` is sent as JSON (a string is sent as is). */
export async function api(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
