import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GuardlineContext } from './context.ts';
import { safeUrl } from './logger.ts';
import { agentRoutes } from './routes/agent.ts';
import { approvalsRoutes } from './routes/approvals.ts';
import { consoleRoutes } from './routes/console.ts';
import { crmWritesRoutes } from './routes/crm-writes.ts';
import { healthRoutes } from './routes/health.ts';
import { hubspotCardRoutes } from './routes/hubspot-card.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { policiesRoutes } from './routes/policies.ts';
import { sessionsRoutes } from './routes/sessions.ts';
import { suspensionsRoutes } from './routes/suspensions.ts';
import { twilioRoutes } from './routes/twilio.ts';

/** A route plugin: one per concern under `src/server/routes/`, registered with `{ ctx }`. */
export type RoutePlugin = (app: FastifyInstance, opts: { ctx: GuardlineContext }) => Promise<void>;

/** The plugins every server has; pass more (approvals API, HubSpot card backend) to `buildApp`. */
export const CORE_ROUTES: readonly RoutePlugin[] = [
  healthRoutes,
  metricsRoutes,
  agentRoutes,
  twilioRoutes,
  approvalsRoutes,
  sessionsRoutes,
  crmWritesRoutes,
  hubspotCardRoutes,
  policiesRoutes,
  suspensionsRoutes,
  consoleRoutes,
];

/**
 * The Fastify app: WebSocket support with the hard frame limit (4 × GUARDLINE_MAX_FRAME_BYTES;
 * frames between the soft and the hard limit get GL_PROTOCOL_FRAME_TOO_LARGE and are ignored),
 * request logs without tokens, and every route plugin.
 */
export async function buildApp(ctx: GuardlineContext, extra: readonly RoutePlugin[] = []): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.addHook('onResponse', async (req, reply) => {
    if (req.url === '/healthz' || req.url === '/metrics') return;
    ctx.logger.debug({ method: req.method, url: safeUrl(req.url), status: reply.statusCode }, 'request');
  });
  await app.register(websocket, { options: { maxPayload: ctx.config.maxFrameBytes * 4 } });
  for (const plugin of [...CORE_ROUTES, ...extra]) await app.register(plugin, { ctx });
  return app;
}
