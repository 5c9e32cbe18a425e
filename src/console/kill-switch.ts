import { z } from 'zod';
import { tenantVisible } from '../auth/index.ts';
import type { Store, SuspensionRow } from '../store/types.ts';
import { covers, SuspendRequest } from '../suspensions/index.ts';

/** The console's suspend form: who (scope and target), why, and whether live calls end or hold. */
export const ConsoleSuspendBody = z
  .object({
    scope: SuspendRequest.shape.scope,
    target: z.string().trim().min(1, 'Pick or type a target').max(200),
    reason: z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500),
    /** true: live sessions get `end_call`; false (default): `hold` until lifted. */
    endCalls: z.boolean().default(false),
  })
  .strict();
export type ConsoleSuspendBody = z.infer<typeof ConsoleSuspendBody>;

export const ConsoleLiftBody = z
  .object({ reason: z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500) })
  .strict();

/** The suspensions domain's request for a console form. */
export function suspendRequestOf(body: ConsoleSuspendBody): SuspendRequest {
  return {
    scope: body.scope,
    target: body.target,
    reason: body.reason,
    action: body.endCalls ? 'end_call' : 'hold',
  };
}

const distinct = (values: string[]) => [...new Set(values)].sort();

/**
 * Active suspensions (each with how many live sessions it covers now) and, as choices for the
 * suspend form, the agents, roles and tenants of the live sessions. With `tenantId`, what a user of
 * that tenant sees: the suspensions that can cover its sessions (its own and everyone's), its sessions.
 */
export async function killSwitchView(store: Store, tenantId?: string) {
  const [allActive, allLive] = await Promise.all([store.suspensions.listActive(), store.sessions.listLive()]);
  const active = allActive.filter((s) => s.tenantId === null || tenantVisible({ tenantId }, s.tenantId));
  const live = allLive.filter((row) => tenantVisible({ tenantId }, row.meta.tenantId));
  const view = (s: SuspensionRow) => ({ ...s, liveSessions: live.filter((row) => covers(s, row.meta)).length });
  return {
    active: active.map(view),
    choices: {
      agent: distinct(live.map((row) => row.meta.agentId)),
      role: distinct(live.map((row) => row.meta.role)),
      tenant: distinct(live.map((row) => row.meta.tenantId)),
    },
  };
}
