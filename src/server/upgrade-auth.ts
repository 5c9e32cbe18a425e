import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken, type Identity } from '../auth/index.ts';
import { GuardlineError, isGuardlineError } from '../errors/index.ts';
import { type GuardlineContext, isReady } from './context.ts';

const identities = new WeakMap<FastifyRequest, Identity>();

export function identityOf(req: FastifyRequest): Identity | undefined {
  return identities.get(req);
}

function refuse(ctx: GuardlineContext, reply: FastifyReply, error: GuardlineError) {
  ctx.metrics.wsErrors.inc({ code: error.code });
  return reply.code(error.status).send(error.toJSON());
}

/**
 * The `preValidation` hook of a WebSocket route: refuses the upgrade with 503 before Guardline
 * is ready, and with 401 (GL_AUTH_MISSING/INVALID/EXPIRED) or 403 (GL_AUTH_SCOPE: not an agent
 * token) without a valid agent token. `optional`: a missing token is let through (Twilio may carry
 * it in `customParameters` instead; the route checks it at `start`).
 */
export function agentAuth(ctx: GuardlineContext, options: { optional?: boolean } = {}) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isReady(ctx)) {
      return refuse(
        ctx,
        reply,
        new GuardlineError(ctx.shuttingDown ? 'GL_SERVER_SHUTTING_DOWN' : 'GL_SERVER_NOT_READY'),
      );
    }
    const token = bearerToken(req.headers, req.url);
    if (!token) {
      if (options.optional) return;
      return refuse(ctx, reply, new GuardlineError('GL_AUTH_MISSING'));
    }
    try {
      const identity = await ctx.verifier.verify(token, ctx.clock.now());
      if (identity.kind !== 'agent')
        return refuse(
          ctx,
          reply,
          new GuardlineError('GL_AUTH_SCOPE', 'This is a user token; agents need an agent token.'),
        );
      identities.set(req, identity);
    } catch (e) {
      return refuse(ctx, reply, isGuardlineError(e) ? e : new GuardlineError('GL_AUTH_INVALID'));
    }
  };
}
