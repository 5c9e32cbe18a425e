/**
 * The kill switch part of the card ⇄ backend contract (re-exported by `contract.ts`). Only `zod`
 * may be imported here. docs/card-api.md describes each route with example JSON.
 */
import { z } from 'zod';

// --- A suspension, as the card shows it (mirror of the store's SuspensionRow) ------------------

export const SuspensionScope = z.enum(['agent', 'role', 'tenant']);
export type SuspensionScope = z.infer<typeof SuspensionScope>;

export const CardSuspension = z.object({
  id: z.string(),
  scope: SuspensionScope,
  /** The agent id, the role (booking, transfer, closing) or the tenant id. */
  target: z.string(),
  /** What the live sessions it covers got: `hold` (until lifted) or `end_call`. */
  action: z.enum(['hold', 'end_call']),
  reason: z.string(),
  /** `hubspot:<userId>` from the card, `human:<id>` from the console, API or CLI. */
  createdBy: z.string(),
  createdAt: z.number().int(),
  liftedBy: z.string().nullable(),
  liftedAt: z.number().int().nullable(),
  liftReason: z.string().nullable(),
});
export type CardSuspension = z.infer<typeof CardSuspension>;

const Reason = z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500);

// --- POST /v1/hubspot/suspensions ------------------------------------------------------------

/** Suspend the agent of a live call on this record (manager only). */
export const SuspendAgentBody = z
  .object({
    scope: z.literal('agent'),
    /** The `agentId` of the record's live session. */
    target: z.string().min(1).max(200),
    reason: Reason,
    /** true: its live calls end (`end_call`); false: they hold until lifted. */
    endCalls: z.boolean(),
  })
  .strict();
export type SuspendAgentBody = z.infer<typeof SuspendAgentBody>;
export const SuspendAgentResponse = CardSuspension;

// --- POST /v1/hubspot/suspensions/:id/lift ---------------------------------------------------

export const LiftSuspensionBody = z.object({ reason: Reason }).strict();
export type LiftSuspensionBody = z.infer<typeof LiftSuspensionBody>;
export const LiftSuspensionResponse = CardSuspension;

export const SUSPENSION_ROUTES = {
  suspend: '/v1/hubspot/suspensions',
  lift: (id: string) => `/v1/hubspot/suspensions/${encodeURIComponent(id)}/lift`,
} as const;
