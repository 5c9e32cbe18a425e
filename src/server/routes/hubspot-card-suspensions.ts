import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { tenantVisible } from '../../auth/index.ts';
import { GuardlineError, isGuardlineError } from '../../errors/index.ts';
import {
  type CardSuspension,
  type HubSpotIdentity,
  LiftSuspensionBody,
  SuspendAgentBody,
  type ViewerRole,
} from '../../hubspot-card/index.ts';
import type { SessionRow, Store, SuspensionRow } from '../../store/types.ts';
import { covers, liftSuspension, suspend } from '../../suspensions/index.ts';
import type { GuardlineContext } from '../context.ts';
import { parseInput, ready } from './http-common.ts';
import { enforceSuspensionsNow } from './suspensions.ts';

const IdParams = z.object({ id: z.string().min(1).max(100) });

/** The card's view of a suspension. */
export function cardSuspension(row: SuspensionRow): CardSuspension {
  return {
    id: row.id,
    scope: row.scope,
    target: row.target,
    action: row.action,
    reason: row.reason,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    liftedBy: row.liftedBy,
    liftedAt: row.liftedAt,
    liftReason: row.liftReason,
  };
}

/** Active suspensions that cover any of a record's sessions (by agent, role or tenant). */
export async function suspensionsAffecting(store: Store, rows: readonly SessionRow[]): Promise<CardSuspension[]> {
  if (rows.length === 0) return [];
  const active = await store.suspensions.listActive();
  return active.filter((s) => rows.some((row) => covers(s, row.meta))).map(cardSuspension);
}

function requireManager(role: ViewerRole): void {
  if (role !== 'manager') {
    throw new GuardlineError('GL_AUTH_ROLE', 'Suspending an agent or lifting a suspension needs the manager role.');
  }
}

/** One suspend per manager and target at a time, so a retried POST racing the first finds its row. */
const inFlight = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve();
  const mine = before.catch(() => {}).then(work);
  inFlight.set(key, mine);
  try {
    return await mine;
  } finally {
    if (inFlight.get(key) === mine) inFlight.delete(key);
  }
}

interface CardRequestParts {
  callerOf(req: FastifyRequest): { who: HubSpotIdentity; role: ViewerRole; tenantId: string | undefined };
  jsonBody(req: FastifyRequest): unknown;
}

/**
 * The card's kill switch (`POST /v1/hubspot/suspensions`, `POST /v1/hubspot/suspensions/:id/lift`),
 * manager only, through the suspensions domain. Registered inside the card plugin, so its signature
 * check applies. Both are idempotent for HubSpot's retried POST: the same manager suspending the same
 * agent with the same reason and action while it is active gets the existing suspension (200, not
 * 201); lifting one already lifted returns it as it stands.
 */
export function cardSuspensionRoutes(app: FastifyInstance, ctx: GuardlineContext, parts: CardRequestParts): void {
  app.post('/v1/hubspot/suspensions', async (req, reply) => {
    const { who, role, tenantId } = parts.callerOf(req);
    requireManager(role);
    const scope = tenantId !== undefined ? { tenantId } : {};
    const body = parseInput(SuspendAgentBody, parts.jsonBody(req), 'body');
    const { store } = ready(ctx);
    const actor = `hubspot:${who.userId}`;
    const action = body.endCalls ? 'end_call' : 'hold';
    const { row, created } = await oneAtATime(`${actor}\n${body.target}`, async () => {
      const existing = (await store.suspensions.listActive()).find(
        (s) =>
          s.scope === 'agent' &&
          s.target === body.target &&
          s.reason === body.reason &&
          s.action === action &&
          s.createdBy === actor,
      );
      if (existing) return { row: existing, created: false };
      const made = await suspend(
        store,
        { scope: 'agent', target: body.target, reason: body.reason, action },
        { actor, at: ctx.clock.now(), ...scope },
      );
      return { row: made, created: true };
    });
    if (created) {
      await enforceSuspensionsNow(ctx);
      ctx.logger.info({ suspensionId: row.id, target: row.target, action, actor }, 'agent suspended from the card');
    }
    return reply.code(created ? 201 : 200).send(cardSuspension(row));
  });

  app.post('/v1/hubspot/suspensions/:id/lift', async (req) => {
    const { who, role, tenantId } = parts.callerOf(req);
    requireManager(role);
    const { id } = parseInput(IdParams, req.params, 'path');
    const { reason } = parseInput(LiftSuspensionBody, parts.jsonBody(req), 'body');
    const { store } = ready(ctx);
    const actor = `hubspot:${who.userId}`;
    try {
      const row = await liftSuspension(store, id, {
        actor,
        reason,
        at: ctx.clock.now(),
        ...(tenantId !== undefined ? { tenantId } : {}),
      });
      await enforceSuspensionsNow(ctx);
      ctx.logger.info({ suspensionId: row.id, actor }, 'suspension lifted from the card');
      return cardSuspension(row);
    } catch (e) {
      if (!isGuardlineError(e) || e.code !== 'GL_SUSPENSION_NOT_FOUND') throw e;
      const row = await store.suspensions.get(id);
      if (!row || row.liftedAt === null || !tenantVisible({ tenantId }, row.tenantId)) throw e;
      return cardSuspension(row);
    }
  });
}
