import type { FastifyInstance } from 'fastify';
import type { GuardlineContext } from '../context.ts';

/** `GET /metrics`: Prometheus text exposition. */
export async function metricsRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  app.get('/metrics', async (_req, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(ctx.metrics.render()),
  );
}
