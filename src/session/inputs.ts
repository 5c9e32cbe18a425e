import { z } from 'zod';

const at = z.number().int().nonnegative();

export const OverrideGrant = z.object({
  id: z.string(),
  approvalId: z.string(),
  kind: z.string(),
  paramsHash: z.string(),
  bound: z.record(z.string(), z.unknown()),
  expiresAt: z.number().int(),
  approvers: z.array(z.string()),
});

export const BudgetRemaining = z.object({
  concession_percent_points: z.number().nullable(),
  concession_usd: z.number().nullable(),
  approvals: z.number().nullable(),
});
export type BudgetRemaining = z.infer<typeof BudgetRemaining>;

/**
 * Everything a session receives, in order. Recorded as-is (law 6): replaying the same inputs
 * against the same policy version yields the same outputs, byte for byte.
 */
export const SessionInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), at }),
  z.object({
    type: z.literal('transcript'),
    at,
    speaker: z.enum(['agent', 'customer']),
    text: z.string().max(10_000),
    isFinal: z.boolean(),
    confidence: z.number().min(0).max(1),
  }),
  z.object({ type: z.literal('propose'), at, proposal: z.unknown() }),
  z.object({
    type: z.literal('approval'),
    at,
    approvalId: z.string(),
    status: z.enum(['approved', 'denied']),
    override: OverrideGrant.nullable(),
  }),
  z.object({ type: z.literal('tick'), at }),
  z.object({
    type: z.literal('event'),
    at,
    event: z.enum(['voicemail', 'transfer_completed', 'call_ended', 'transcription_lost', 'transcription_restored']),
  }),
  z.object({ type: z.literal('hold'), at, reason: z.string().min(1).max(500), end: z.boolean() }),
  z.object({ type: z.literal('resume'), at }),
  /**
   * A published version that applies to live sessions at once: the whole validated policy is
   * recorded (not just its version), so a recording replays on its own.
   */
  z.object({ type: z.literal('policy'), at, version: z.string().min(1), policy: z.unknown() }),
  /**
   * What is left today of the agent's and tenant's cross-session budgets (the smaller of the two;
   * null: no cap). The runtime reads it from the store and records it, so replay sees the same.
   */
  z.object({ type: z.literal('budget'), at, remaining: BudgetRemaining }),
]);
export type SessionInput = z.infer<typeof SessionInput>;
