import type { FastifyInstance } from 'fastify';
import type { GuardlineContext } from '../context.ts';

/** `GET /healthz` (the process is up) and `GET /readyz` (policy and store loaded, not shutting down). */
export async function healthRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const checks = {
      store: ctx.store !== null,
      policy: ctx.registry !== null,
      accepting: !ctx.shuttingDown,
    };
    const ready = checks.store && checks.policy && checks.accepting;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks,
      ...(ctx.registry ? { policyVersion: ctx.registry.currentPolicy.version, liveSessions: ctx.registry.size } : {}),
    });
  });
}
