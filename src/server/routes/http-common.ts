import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { bearerToken, type UserClaims, type UserRole } from '../../auth/index.ts';
import { GuardlineError, isGuardlineError } from '../../errors/index.ts';
import type { SessionRegistry } from '../../runtime/registry.ts';
import type { Store } from '../../store/types.ts';
import { type GuardlineContext, isReady } from '../context.ts';

/** A signed-in human (user JWT) with the expiry of the token stripped. */
export type User = UserClaims;

export function sendError(reply: FastifyReply, error: GuardlineError): FastifyReply {
  return reply.code(error.status).send(error.toJSON());
}

/** Maps Fastify's own request errors (bad JSON, too large, wrong content type) and anything else to a GL_* body. */
export function toGuardlineError(error: unknown): GuardlineError {
  if (isGuardlineError(error)) return error;
  const e = error as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new GuardlineError('GL_REQUEST_TOO_LARGE');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new GuardlineError('GL_REQUEST_INVALID', e.message ?? 'The request could not be read.');
  }
  return new GuardlineError('GL_SERVER_INTERNAL');
}

/** Every error of the plugin's routes answers `{ code, message, action, details? }`; 5xx are logged. */
export function installErrorHandler(app: FastifyInstance, ctx: GuardlineContext): void {
  app.setErrorHandler((error, req, reply) => {
    const gl = toGuardlineError(error);
    if (gl.status >= 500) ctx.logger.error({ err: error, url: req.routeOptions.url }, 'request failed');
    return sendError(reply, gl);
  });
}

/** The store and registry, or GL_SERVER_NOT_READY / GL_SERVER_SHUTTING_DOWN (503). */
export function ready(ctx: GuardlineContext): { store: Store; registry: SessionRegistry } {
  if (!isReady(ctx)) throw new GuardlineError(ctx.shuttingDown ? 'GL_SERVER_SHUTTING_DOWN' : 'GL_SERVER_NOT_READY');
  return { store: ctx.store, registry: ctx.registry };
}

/** Parses an outside input; GL_REQUEST_INVALID (400) naming each issue by path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new GuardlineError(
    'GL_REQUEST_INVALID',
    `${what}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    { issues },
  );
}

/**
 * The caller of a user API: a valid user JWT (`Authorization: Bearer`) holding at least one of
 * `allowed`. 401 GL_AUTH_MISSING/INVALID/EXPIRED, 403 GL_AUTH_SCOPE for an agent token,
 * 403 GL_AUTH_ROLE when none of its roles is allowed.
 */
export async function authenticateUser(
  ctx: GuardlineContext,
  req: FastifyRequest,
  allowed: readonly UserRole[],
): Promise<User> {
  const header = req.headers.authorization;
  const token = header ? bearerToken({ authorization: header }, '') : null;
  if (!token) throw new GuardlineError('GL_AUTH_MISSING');
  const identity = await ctx.verifier.verify(token, ctx.clock.now());
  if (identity.kind !== 'user') {
    throw new GuardlineError(
      'GL_AUTH_SCOPE',
      'This is an agent token; this API takes user tokens (`guardline token --user`).',
    );
  }
  if (!identity.roles.some((r) => allowed.includes(r))) {
    throw new GuardlineError(
      'GL_AUTH_ROLE',
      `This needs one of the roles ${allowed.join(', ')}; the token has ${identity.roles.join(', ')}.`,
    );
  }
  const { expiresAt: _expiresAt, ...user } = identity;
  return user;
}

/** Approving takes `approver`; a manager approves too (DESIGN: managers approve exceptions). */
export function approverRolesOf(roles: readonly string[]): string[] {
  return roles.includes('manager') ? [...new Set([...roles, 'approver'])] : [...roles];
}
