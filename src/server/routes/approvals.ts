import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApprovalService, type Approver, type Verdict, type VoteResult } from '../../approvals/index.ts';
import { tenantVisible } from '../../auth/index.ts';
import { GuardlineError } from '../../errors/index.ts';
import type { ApprovalRow, OverrideRow } from '../../store/types.ts';
import { type GuardlineContext, isReady } from '../context.ts';
import { approverRolesOf, authenticateUser, installErrorHandler, parseInput, ready } from './http-common.ts';

const services = new WeakMap<GuardlineContext, ApprovalService>();

/**
 * The approval service of this server. A minted override lives for the `override_ttl_seconds` of the
 * policy the session runs on (the current policy when the session is live on another node).
 */
export function approvalServiceOf(ctx: GuardlineContext): ApprovalService {
  let service = services.get(ctx);
  if (!service) {
    service = new ApprovalService(ready(ctx).store, {
      overrideTtlMs: (row) => {
        const registry = ctx.registry;
        const policy = registry?.get(row.sessionId)?.guarded.policy ?? registry?.currentPolicy;
        return (policy?.policy.approvals.override_ttl_seconds ?? 600) * 1000;
      },
    });
    services.set(ctx, service);
  }
  return service;
}

/**
 * Casts one vote (approve or deny) as `approver`. Idempotent for a repeated identical vote (HubSpot
 * retries a POST once): it returns the approval unchanged. Expires the request first if its deadline
 * has passed. The live session learns the result through `store.onApproval` on whichever node it runs.
 */
export function castVote(
  ctx: GuardlineContext,
  approvalId: string,
  approver: Approver,
  verdict: Verdict,
  reason: string,
): Promise<VoteResult> {
  const service = approvalServiceOf(ctx);
  const now = ctx.clock.now();
  return verdict === 'approve'
    ? service.approve(approvalId, approver, reason, now)
    : service.deny(approvalId, approver, reason, now);
}

/** What the approvals API returns for one request: the stored row plus its override, if one was minted. */
export function approvalView(row: ApprovalRow, override: OverrideRow | null) {
  return {
    ...row,
    override: override
      ? {
          id: override.id,
          kind: override.kind,
          bound: override.bound,
          expiresAt: override.expiresAt,
          usedAt: override.usedAt,
          usedByDecision: override.usedByDecision,
        }
      : null,
  };
}

async function viewOf(ctx: GuardlineContext, row: ApprovalRow) {
  const override = row.overrideId ? await ready(ctx).store.overrides.get(row.overrideId) : null;
  return approvalView(row, override);
}

/** The request, if it exists and `user` may see it (its tenant); otherwise the same 404 either way. */
export async function visibleApproval(
  ctx: GuardlineContext,
  user: { tenantId?: string | undefined },
  id: string,
): Promise<ApprovalRow> {
  const row = await ready(ctx).store.approvals.get(id);
  if (!row || !tenantVisible(user, row.tenantId))
    throw new GuardlineError('GL_APPROVAL_NOT_FOUND', `No approval ${id}.`);
  return row;
}

const SWEEP_MS = 1000;

/** Expires every pending request past its deadline (any node may; the conditional update decides once). */
export async function expireDueApprovals(ctx: GuardlineContext): Promise<number> {
  if (!isReady(ctx)) return 0;
  return (await approvalServiceOf(ctx).expireDue(ctx.clock.now())).length;
}

const ListQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'denied', 'expired']).optional(),
    sessionId: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
const IdParams = z.object({ id: z.string().min(1).max(300) });
export const VoteBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();

/**
 * `GET /v1/approvals?status=&sessionId=&limit=`, `GET /v1/approvals/:id`, `POST /v1/approvals/:id/approve`
 * and `/deny` (body `{ reason }`). Reading takes any user role; voting takes `approver` or `manager`
 * (403 GL_AUTH_ROLE otherwise). A closed request answers 409 GL_APPROVAL_CLOSED, an expired one
 * 410 GL_APPROVAL_EXPIRED; a repeated identical vote answers 200 with `changed: false`.
 */
export async function approvalsRoutes(app: FastifyInstance, { ctx }: { ctx: GuardlineContext }): Promise<void> {
  installErrorHandler(app, ctx);
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping || !isReady(ctx)) return;
    sweeping = true;
    expireDueApprovals(ctx)
      .catch((e) => ctx.logger.warn({ err: e }, 'expiring due approvals failed'))
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  app.get('/v1/approvals', async (req) => {
    const user = await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const query = parseInput(ListQuery, req.query, 'query');
    const { store } = ready(ctx);
    await expireDueApprovals(ctx);
    let rows: ApprovalRow[];
    if (query.sessionId) {
      rows = (await store.approvals.listBySession(query.sessionId)).filter(
        (r) => !query.status || r.status === query.status,
      );
    } else if (query.status === 'pending') rows = await store.approvals.listPending();
    else
      rows = await store.approvals.list({
        ...(query.status ? { status: query.status } : {}),
        ...(user.tenantId !== undefined ? { tenantId: user.tenantId } : {}),
        limit: query.limit,
      });
    const page = rows.filter((r) => tenantVisible(user, r.tenantId)).slice(0, query.limit);
    return { approvals: await Promise.all(page.map((r) => viewOf(ctx, r))) };
  });

  app.get('/v1/approvals/:id', async (req) => {
    const user = await authenticateUser(ctx, req, ['rep', 'approver', 'manager']);
    const { id } = parseInput(IdParams, req.params, 'path');
    return viewOf(ctx, await visibleApproval(ctx, user, id));
  });

  for (const verdict of ['approve', 'deny'] as const) {
    app.post(`/v1/approvals/:id/${verdict}`, async (req) => {
      const user = await authenticateUser(ctx, req, ['approver', 'manager']);
      const { id } = parseInput(IdParams, req.params, 'path');
      const { reason } = parseInput(VoteBody, req.body ?? {}, 'body');
      await visibleApproval(ctx, user, id);
      const result = await castVote(ctx, id, { id: user.userId, roles: approverRolesOf(user.roles) }, verdict, reason);
      const override = result.status === 'approved' ? result.override : null;
      return { ...approvalView(result.approval, override), changed: result.changed };
    });
  }
}
