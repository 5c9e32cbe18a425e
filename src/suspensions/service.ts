import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GuardlineError } from '../errors/index.ts';
import { Role, type SessionMeta } from '../model/index.ts';
import type { Store, SuspensionRow } from '../store/types.ts';

export const SuspendRequest = z
  .object({
    scope: z.enum(['agent', 'role', 'tenant']),
    /** The agent id, the role (booking, transfer, closing) or the tenant id. */
    target: z.string().min(1).max(200),
    /** `hold` (default): live sessions stop acting until lifted; `end_call`: they end now. */
    action: z.enum(['hold', 'end_call']).default('hold'),
    reason: z.string().min(1).max(500),
  })
  .refine((r) => r.scope !== 'role' || Role.safeParse(r.target).success, {
    message: `a role suspension names a role: ${Role.options.join(', ')}`,
    path: ['target'],
  });
export type SuspendRequest = z.infer<typeof SuspendRequest>;

/** Whether a suspension covers a session. */
export function covers(s: SuspensionRow, meta: SessionMeta): boolean {
  if (s.tenantId !== null && s.tenantId !== meta.tenantId) return false;
  switch (s.scope) {
    case 'agent':
      return meta.agentId === s.target;
    case 'role':
      return meta.role === s.target;
    case 'tenant':
      return meta.tenantId === s.target;
  }
}

/** The words an agent (and the audit log) get for a suspension. */
export function suspensionMessage(s: SuspensionRow): string {
  return `Suspended (${s.scope} ${s.target}) by a manager: ${s.reason}`;
}

export function suspendedError(s: SuspensionRow): GuardlineError {
  return new GuardlineError('GL_SUSPENDED', `${suspensionMessage(s)} [${s.id}]`, {
    suspensionId: s.id,
    scope: s.scope,
  });
}

/**
 * Who suspends or lifts: `tenantId` when a manager of one tenant acts (the suspension then covers
 * that tenant's sessions only); absent for an operator (every tenant).
 */
export interface SuspensionActor {
  actor: string;
  at: number;
  tenantId?: string;
}

export async function suspend(store: Store, req: SuspendRequest, by: SuspensionActor): Promise<SuspensionRow> {
  // Every caller (HTTP, card, console, CLI) is checked here: a suspension that matches nothing would look in force.
  const checked = SuspendRequest.safeParse(req);
  if (!checked.success) {
    throw new GuardlineError(
      'GL_REQUEST_INVALID',
      checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      { issues: checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  const tenantId = by.tenantId ?? null;
  if (tenantId !== null && checked.data.scope === 'tenant' && checked.data.target !== tenantId) {
    throw new GuardlineError('GL_AUTH_SCOPE', `A manager of tenant ${tenantId} suspends only that tenant.`);
  }
  return store.suspensions.create({
    id: `susp-${randomUUID().slice(0, 8)}`,
    ...checked.data,
    tenantId,
    createdBy: by.actor,
    createdAt: by.at,
    liftedBy: null,
    liftedAt: null,
    liftReason: null,
  });
}

export async function liftSuspension(
  store: Store,
  id: string,
  by: SuspensionActor & { reason: string },
): Promise<SuspensionRow> {
  // A manager of a tenant lifts that tenant's suspensions only; any other answers as unknown.
  if (by.tenantId !== undefined && (await store.suspensions.get(id))?.tenantId !== by.tenantId) {
    throw new GuardlineError('GL_SUSPENSION_NOT_FOUND', `No active suspension ${id}.`);
  }
  const lifted = await store.suspensions.lift(id, { actor: by.actor, reason: by.reason, at: by.at });
  if (!lifted) throw new GuardlineError('GL_SUSPENSION_NOT_FOUND', `No active suspension ${id}.`);
  return lifted;
}
