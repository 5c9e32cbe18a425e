import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { bearerToken, type TokenVerifier, type UserRole } from '../auth/index.ts';
import { GuardlineError } from '../errors/index.ts';

/**
 * Who may use the console (`GUARDLINE_CONSOLE`):
 * - `local` (default): loopback clients only (127.0.0.0/8, ::1), acting as the local manager
 *   `console@localhost`; a request from any other address is refused.
 * - `token`: every request carries a user JWT (`Authorization: Bearer …`), from any address.
 * - `off`: the console is not served.
 */
export const ConsoleMode = z.enum(['local', 'token', 'off']);
export type ConsoleMode = z.infer<typeof ConsoleMode>;

export function consoleModeFrom(env: NodeJS.ProcessEnv): ConsoleMode {
  const raw = env.GUARDLINE_CONSOLE?.trim() || 'local';
  const mode = ConsoleMode.safeParse(raw);
  if (!mode.success) {
    throw new GuardlineError('GL_CONFIG_INVALID', `GUARDLINE_CONSOLE=${JSON.stringify(raw)}: use local, token or off`);
  }
  return mode.data;
}

/** The person acting in the console; with `tenantId`, a user of that tenant, who sees and acts on its things only. */
export interface ConsoleUser {
  id: string;
  roles: readonly UserRole[];
  tenantId?: string;
}

/** The identity of the local console: a manager on this machine (managers approve too). */
export const LOCAL_USER: ConsoleUser = { id: 'console@localhost', roles: ['manager'] };

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `Host: localhost:3000` → `localhost`; refuses other names in local mode (DNS rebinding). */
function hostName(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

/**
 * Who the request acts as, or a GL_* error. Writes (anything but GET) must also come from the
 * console's own page: an `Origin`, when sent, must name the host the request went to, and the
 * request must carry `x-guardline-console: 1` (a cross-site form cannot set it).
 */
export async function consoleUser(
  req: FastifyRequest,
  mode: Exclude<ConsoleMode, 'off'>,
  verifier: TokenVerifier,
): Promise<ConsoleUser> {
  if (req.method !== 'GET') {
    if (req.headers['x-guardline-console'] !== '1') {
      throw new GuardlineError('GL_CONSOLE_FORBIDDEN', 'Writes must come from the console page.');
    }
    const origin = req.headers.origin;
    if (origin && origin !== 'null') {
      let originHost = '';
      try {
        originHost = new URL(origin).host;
      } catch {}
      if (originHost !== req.headers.host) {
        throw new GuardlineError('GL_CONSOLE_FORBIDDEN', `Cross-origin request from ${origin}.`);
      }
    }
  }
  if (mode === 'local') {
    if (!isLoopback(req.socket.remoteAddress)) {
      throw new GuardlineError('GL_CONSOLE_FORBIDDEN', 'The local console answers loopback clients only.');
    }
    if (!LOCAL_HOSTS.has(hostName(req.headers.host))) {
      throw new GuardlineError('GL_CONSOLE_FORBIDDEN', `Host ${req.headers.host ?? '(none)'} is not this machine.`);
    }
    return LOCAL_USER;
  }
  const token = bearerToken(req.headers, req.url);
  if (!token) throw new GuardlineError('GL_AUTH_MISSING');
  const identity = await verifier.verify(token);
  if (identity.kind !== 'user') throw new GuardlineError('GL_AUTH_SCOPE', 'The console takes a user token.');
  return { id: identity.userId, roles: identity.roles, ...(identity.tenantId ? { tenantId: identity.tenantId } : {}) };
}

/** Refuses unless the user holds `role`. */
export function requireRole(user: ConsoleUser, role: UserRole): void {
  if (!user.roles.includes(role)) throw new GuardlineError('GL_AUTH_SCOPE', `This takes the role '${role}'.`);
}
