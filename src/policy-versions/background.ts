import type { FastifyInstance } from 'fastify';
import type { SessionRegistry } from '../runtime/registry.ts';
import { type GuardlineContext, isReady } from '../server/context.ts';
import type { Store } from '../store/types.ts';

/** How often a node re-reads the active policy, shadow candidate and suspensions (the "within a second"). */
export const SYNC_INTERVAL_MS = 400;

/**
 * Runs `sync` every SYNC_INTERVAL_MS once the server is ready (and on demand via the returned
 * `now`), one run at a time, until the app closes. `attach` runs once, when the registry exists.
 */
export function backgroundSync<T>(
  app: FastifyInstance,
  ctx: GuardlineContext,
  name: string,
  attach: (store: Store, registry: SessionRegistry) => T,
  sync: (state: T) => Promise<void>,
  detach: (state: T) => void = () => {},
): { now(): Promise<void>; state(): T | null } {
  let state: T | null = null;
  let running: Promise<void> | null = null;
  const run = (): Promise<void> => {
    if (!isReady(ctx)) return Promise.resolve();
    state ??= attach(ctx.store, ctx.registry);
    const current = state;
    running ??= sync(current)
      .catch((e) => ctx.logger.error({ err: e }, `${name} sync failed`))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void run(), SYNC_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
    if (state) detach(state);
  });
  return {
    async now() {
      await running;
      await run();
    },
    state: () => state,
  };
}
