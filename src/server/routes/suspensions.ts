import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tenantVisible } from '../../auth/index.ts';
import { backgroundSync } from '../../policy-versions/background.ts';
import { liftSuspension, SuspendRequest, SuspensionEnforcer, suspend } from '../../suspensions/index.ts';
import type { GuardlineContext } from '../context.ts';
import { authenticateUser, installErrorHandler, parseInput, ready } from './http-common.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) });
const LiftBody = z.object({ reason: z.string().min(1).max(500) });
const ListQuery = z.object({ all: z.enum(['true', 'false']).optional() }).strict();
const syncs = new WeakMap<GuardlineContext, () => Promise<void>>();

/**
 * Applies the store's suspensions to this node's live sessions now (the poll would within
 * SYNC_INTERVAL_MS). For other routes that set or lift one (the console, the CRM card).
 */
export async function enforceSuspensionsNow(ctx: GuardlineContext): Promise<void> {
  await syncs.get(ctx)?.();
}

/**
 * The kill switch over HTTP: `POST /v1/suspensions` (manager) suspends an agent, a role or a
 * tenant; `POST /v1/suspensions/:id/lift` (manager) lifts it; `GET /v1/suspensions` lists them.
 * A manager whose token names a tenant suspends within that tenant only, and lifts only its own.
 * The node's enforcer (polled from the store) holds matching live sessions within a second and
 * refuses their new sessions and proposals with GL_SUSPENDED.
 */
export async function suspensionsRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);
  const sync = backgroundSync(
    app,
    ctx,
    'suspensions',
    (store, registry) => new SuspensionEnforcer(store, registry, ctx.logger),
    (enforcer) => enforcer.refresh(),
    (enforcer) => enforcer.detach(),
  );
  syncs.set(ctx, () => sync.now());

  app.get('/v1/suspensions', async (req) => {
    const user = await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { all } = parseInput(ListQuery, req.query, 'query');
    const { store } = ready(ctx);
    const rows = all === 'true' ? await store.suspensions.list() : await store.suspensions.listActive();
    // A user of a tenant sees the suspensions that can cover its sessions: its tenant's and everyone's.
    return { suspensions: rows.filter((s) => s.tenantId === null || tenantVisible(user, s.tenantId)) };
  });

  app.post('/v1/suspensions', async (req, reply) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    const body = parseInput(SuspendRequest, req.body, 'body');
    const row = await suspend(ready(ctx).store, body, {
      actor: `human:${user.userId}`,
      at: ctx.clock.now(),
      ...(user.tenantId ? { tenantId: user.tenantId } : {}),
    });
    await sync.now();
    return reply.code(201).send(row);
  });

  app.post('/v1/suspensions/:id/lift', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    const { id } = parseInput(IdParams, req.params, 'path');
    const { reason } = parseInput(LiftBody, req.body, 'body');
    const row = await liftSuspension(ready(ctx).store, id, {
      actor: `human:${user.userId}`,
      reason,
      at: ctx.clock.now(),
      ...(user.tenantId ? { tenantId: user.tenantId } : {}),
    });
    await sync.now();
    return row;
  });
}
