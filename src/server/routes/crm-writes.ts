import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tenantVisible } from '../../auth/index.ts';
import { requestRollback } from '../../crm/index.ts';
import { GuardlineError } from '../../errors/index.ts';
import type { GuardlineContext } from '../context.ts';
import { authenticateUser, installErrorHandler, parseInput, ready } from './http-common.ts';

const IdParams = z.object({ id: z.string().min(1).max(300) });
const RollbackBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

/**
 * `POST /v1/crm-writes/:id/rollback` (body `{ reason }`), managers only (403 GL_AUTH_ROLE; a manager of
 * a tenant, that tenant's writes only): gates the
 * rollback as `human:<userId>`, records the decision, and queues the write that restores the previous
 * values. 404 GL_CRM_WRITE_NOT_FOUND, 409 GL_CRM_ROLLBACK_REFUSED (not delivered, a create, already
 * rolled back). Answers `{ decision, rollbackWrite }`.
 */
export async function crmWritesRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);
  app.post('/v1/crm-writes/:id/rollback', async (req) => {
    const user = await authenticateUser(ctx, req, ['manager']);
    const { id } = parseInput(IdParams, req.params, 'path');
    const { reason } = parseInput(RollbackBody, req.body ?? {}, 'body');
    const { store } = ready(ctx);
    // A manager of a tenant rolls back that tenant's writes only; another's answers as unknown.
    if (user.tenantId !== undefined) {
      const write = await store.outbox.get(id);
      const session = write ? await store.sessions.get(write.sessionId) : null;
      if (!tenantVisible(user, session?.meta.tenantId))
        throw new GuardlineError('GL_CRM_WRITE_NOT_FOUND', `No CRM write ${id}.`);
    }
    const result = await requestRollback(store, {
      writeId: id,
      actor: `human:${user.userId}`,
      reason,
      now: ctx.clock.now(),
    });
    return result;
  });
}
