import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tenantVisible } from '../../auth/index.ts';
import { GuardlineError } from '../../errors/index.ts';
import type { SessionRow } from '../../store/types.ts';
import type { GuardlineContext } from '../context.ts';
import { authenticateUser, installErrorHandler, parseInput, ready } from './http-common.ts';

const ListQuery = z
  .object({
    status: z.enum(['live', 'ended']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
const IdParams = z.object({ id: z.string().min(1).max(300) });

/** One session as the read API shows it: its metadata, whether it is live, and when it ran. */
export function sessionSummary(row: SessionRow) {
  return {
    id: row.id,
    status: row.endedAt === null ? ('live' as const) : ('ended' as const),
    meta: row.meta,
    policyVersion: row.policyVersion,
    startedAt: row.startedAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
  };
}

/**
 * The read API the console uses, for any user token (rep, approver, manager; a user of a tenant sees
 * that tenant's sessions only):
 * `GET /v1/sessions?status=live|ended&limit=` (newest first) and `GET /v1/sessions/:id` with its
 * decisions, directives and approvals in the order they were recorded.
 */
export async function sessionsRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);

  app.get('/v1/sessions', async (req) => {
    const user = await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const query = parseInput(ListQuery, req.query, 'query');
    // The tenant filter is in the query, so a page holds `limit` of the user's own when there are as many.
    const rows = await ready(ctx).store.sessions.list({
      ...(query.status ? { status: query.status } : {}),
      ...(user.tenantId !== undefined ? { tenantId: user.tenantId } : {}),
      limit: query.limit,
    });
    return { sessions: rows.filter((r) => tenantVisible(user, r.meta.tenantId)).map(sessionSummary) };
  });

  app.get('/v1/sessions/:id', async (req) => {
    const user = await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { id } = parseInput(IdParams, req.params, 'path');
    const { store } = ready(ctx);
    const row = await store.sessions.get(id);
    // Another tenant's session answers as an unknown one does: its existence does not leak.
    if (!row || !tenantVisible(user, row.meta.tenantId))
      throw new GuardlineError('GL_SESSION_NOT_FOUND', `No session ${id}.`);
    const [decisions, directives, approvals] = await Promise.all([
      store.decisions.listBySession(id),
      store.directives.listBySession(id),
      store.approvals.listBySession(id),
    ]);
    return { ...sessionSummary(row), decisions, directives, approvals };
  });
}
