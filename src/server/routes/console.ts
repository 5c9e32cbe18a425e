import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { consoleApi } from '../../console/api.ts';
import { GuardlineError } from '../../errors/index.ts';
import type { GuardlineContext } from '../context.ts';

const STATIC = new URL('../../console/static/', import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  '/console': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/state.js': { file: 'state.js', type: 'text/javascript; charset=utf-8' },
  '/console/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/console/sessions.js': { file: 'sessions.js', type: 'text/javascript; charset=utf-8' },
  '/console/approvals.js': { file: 'approvals.js', type: 'text/javascript; charset=utf-8' },
  '/console/policy.js': { file: 'policy.js', type: 'text/javascript; charset=utf-8' },
  '/console/signals.js': { file: 'signals.js', type: 'text/javascript; charset=utf-8' },
  '/console/charts.js': { file: 'charts.js', type: 'text/javascript; charset=utf-8' },
  '/console/kill-switch.js': { file: 'kill-switch.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

/**
 * The local console (`/console`): a page, its script and styles, and its JSON API under
 * `/console/api`. `GUARDLINE_CONSOLE` chooses who may use it (`local` default: loopback only;
 * `token`: user JWT; `off`: not served). The page itself holds no data; the API checks access.
 */
export async function consoleRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  const mode = ctx.config.console;
  if (mode === 'off') {
    app.get('/console', async (_req, reply) => reply.code(404).send(new GuardlineError('GL_CONSOLE_OFF').toJSON()));
    return;
  }
  const bodies = new Map(Object.entries(ASSETS).map(([route, a]) => [route, readFileSync(new URL(a.file, STATIC))]));
  for (const [route, asset] of Object.entries(ASSETS)) {
    app.get(route, async (_req, reply) =>
      reply
        .header('content-type', asset.type)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('content-security-policy', "default-src 'self'; style-src 'self'; img-src 'self' data:")
        .send(bodies.get(route)),
    );
  }
  await app.register(consoleApi(mode), { prefix: '/console/api', ctx });
}
