/**
 * The wire contract between the Guardline card and the Guardline backend (`/v1/hubspot/*`).
 * It lives inside the HubSpot project because HubSpot builds the card from this folder alone; the
 * backend imports the same file through `src/hubspot-card/contract.ts`, so both sides parse with
 * the same schemas. `Decision` mirrors `src/model/decision.ts`; a test keeps the two identical.
 * Only `zod` (and the kill switch part, `./suspensions.ts`) may be imported here. docs/card-api.md
 * describes each route with example JSON.
 */
import { z } from 'zod';
import { CardSuspension, SUSPENSION_ROUTES } from './suspensions.ts';

export * from './suspensions.ts';

// --- Decision (mirror of src/model/decision.ts) ----------------------------------------------

export const ProposalKind = z.enum([
  'say',
  'concession',
  'transfer',
  'end_call',
  'extend_call',
  'crm_write',
  'book_meeting',
  'send_message',
  'role_handoff',
]);
export type ProposalKind = z.infer<typeof ProposalKind>;

export const Outcome = z.enum(['allow', 'deny', 'needs_approval', 'sanitize']);
export type Outcome = z.infer<typeof Outcome>;

export const Evidence = z.object({
  text: z.string(),
  span: z.tuple([z.number().int(), z.number().int()]),
});

export const RationaleItem = z.object({
  rule: z.string(),
  facts: z.record(z.string(), z.unknown()),
  message: z.string(),
  evidence: Evidence.optional(),
});
export type RationaleItem = z.infer<typeof RationaleItem>;

export const StateRef = z.object({ seq: z.number().int().nonnegative(), state: z.string() });

export const ApprovalRequest = z.object({
  id: z.string(),
  kind: ProposalKind,
  bound: z.record(z.string(), z.unknown()),
  paramsHash: z.string(),
  reason: z.string(),
  approverRole: z.string(),
  approversRequired: z.number().int().min(1).max(2),
  deadline: z.number().int(),
});

export const Decision = z.object({
  id: z.string(),
  proposalId: z.string(),
  sessionId: z.string(),
  kind: z.union([ProposalKind, z.literal('unknown')]),
  outcome: Outcome,
  rationale: z.array(RationaleItem).min(1),
  policyVersion: z.string(),
  stateRef: StateRef,
  at: z.number().int(),
  sanitized: z.record(z.string(), z.unknown()).optional(),
  approval: ApprovalRequest.optional(),
  fallback: z.string().optional(),
  overrideId: z.string().optional(),
  code: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

// --- Who is looking --------------------------------------------------------------------------

export const ViewerRole = z.enum(['rep', 'approver', 'manager']);
export type ViewerRole = z.infer<typeof ViewerRole>;

export const Viewer = z.object({ userId: z.string(), role: ViewerRole });
export type Viewer = z.infer<typeof Viewer>;

// --- GET /v1/hubspot/sessions ----------------------------------------------------------------

export const CardObjectType = z.enum(['contact', 'deal']);
export type CardObjectType = z.infer<typeof CardObjectType>;

export const SessionsQuery = z.object({
  objectType: CardObjectType,
  objectId: z.string().regex(/^\d{1,20}$/, 'objectId must be a HubSpot record id'),
});
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const CardSession = z.object({
  id: z.string(),
  callId: z.string(),
  channel: z.string(),
  role: z.enum(['booking', 'transfer', 'closing']),
  status: z.enum(['live', 'ended']),
  startedAt: z.number().int(),
  endedAt: z.number().int().nullable(),
  agentId: z.string(),
  policyVersion: z.string(),
  decisions: z.array(Decision),
});
export type CardSession = z.infer<typeof CardSession>;

export const ApprovalVote = z.object({ approverId: z.string(), at: z.number().int(), reason: z.string() });
export type ApprovalVote = z.infer<typeof ApprovalVote>;

export const ApprovalStatus = z.enum(['pending', 'approved', 'denied', 'expired']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const CardApproval = z.object({
  id: z.string(),
  sessionId: z.string(),
  decisionId: z.string(),
  kind: ProposalKind,
  /** What the agent asked for, e.g. `{ "percent": 25 }`. */
  bound: z.record(z.string(), z.unknown()),
  /** The policy limit the request goes past, e.g. `{ "percent": 10 }`, when the backend knows it. */
  limit: z.record(z.string(), z.unknown()).optional(),
  reason: z.string(),
  status: ApprovalStatus,
  /** Epoch ms after which the request expires and the agent falls back. */
  deadline: z.number().int(),
  approversRequired: z.number().int().min(1).max(2),
  approvals: z.array(ApprovalVote),
  /** Set when the request was denied. */
  denial: ApprovalVote.nullable().optional(),
});
export type CardApproval = z.infer<typeof CardApproval>;

export const SessionsResponse = z.object({
  viewer: Viewer,
  sessions: z.array(CardSession),
  approvals: z.array(CardApproval),
  /** Active suspensions covering the record's sessions (their agent, role or tenant); absent from older backends. */
  suspensions: z.array(CardSuspension).default([]),
});
export type SessionsResponse = z.infer<typeof SessionsResponse>;

// --- POST /v1/hubspot/approvals/:id/approve and /deny ----------------------------------------

export const ApprovalActionBody = z.object({
  reason: z.string().trim().min(3, 'Give a reason of at least 3 characters').max(500),
});
export type ApprovalActionBody = z.infer<typeof ApprovalActionBody>;
export const ApprovalActionResponse = CardApproval;

// --- GET and POST /v1/hubspot/policy ---------------------------------------------------------

export const TunedRole = z.enum(['booking', 'transfer', 'closing']);
export type TunedRole = z.infer<typeof TunedRole>;

/** The bounds the card's NumberInputs use and the backend enforces. */
export const TUNING_LIMITS = {
  concessions: {
    auto_max_percent: { min: 0, max: 100 },
    approval_max_percent: { min: 0, max: 100 },
    max_count: { min: 0, max: 20 },
    cumulative_max_percent: { min: 0, max: 100 },
  },
  timeouts: {
    max_call_seconds: { min: 60, max: 14_400 },
    wrap_up_warning_seconds: { min: 10, max: 3_600 },
    silence_seconds: { min: 5, max: 600 },
    approval_wait_seconds: { min: 10, max: 3_600 },
  },
} as const;

const bounded = (limits: { min: number; max: number }) => z.number().int().min(limits.min).max(limits.max);
const percentIn = (limits: { min: number; max: number }) => z.number().min(limits.min).max(limits.max);
const c = TUNING_LIMITS.concessions;
const t = TUNING_LIMITS.timeouts;

export const TunedConcessions = z.object({
  auto_max_percent: percentIn(c.auto_max_percent),
  approval_max_percent: percentIn(c.approval_max_percent),
  max_count: bounded(c.max_count),
  cumulative_max_percent: percentIn(c.cumulative_max_percent),
});
export type TunedConcessions = z.infer<typeof TunedConcessions>;

export const TunedTimeouts = z.object({
  max_call_seconds: bounded(t.max_call_seconds),
  wrap_up_warning_seconds: bounded(t.wrap_up_warning_seconds),
  silence_seconds: bounded(t.silence_seconds),
  approval_wait_seconds: bounded(t.approval_wait_seconds),
});
export type TunedTimeouts = z.infer<typeof TunedTimeouts>;

const TunedRoles = z.object({
  booking: z.object({ concessions: TunedConcessions }),
  transfer: z.object({ concessions: TunedConcessions }),
  closing: z.object({ concessions: TunedConcessions }),
});

/** Cross-field rules a policy must keep after any change. */
function checkTunables(value: { roles: z.infer<typeof TunedRoles>; timeouts: TunedTimeouts }, ctx: z.RefinementCtx) {
  for (const role of TunedRole.options) {
    const k = value.roles[role].concessions;
    if (k.auto_max_percent > k.approval_max_percent) {
      ctx.addIssue({
        code: 'custom',
        path: ['roles', role, 'concessions', 'auto_max_percent'],
        message: 'Auto-approved % must not exceed the % allowed with approval',
      });
    }
  }
  if (value.timeouts.wrap_up_warning_seconds >= value.timeouts.max_call_seconds) {
    ctx.addIssue({
      code: 'custom',
      path: ['timeouts', 'wrap_up_warning_seconds'],
      message: 'The wrap-up warning must come before the maximum call length',
    });
  }
}

export const TunablePolicy = z.object({ roles: TunedRoles, timeouts: TunedTimeouts }).superRefine(checkTunables);
export type TunablePolicy = z.infer<typeof TunablePolicy>;

export const PolicyView = z.object({
  version: z.string(),
  label: z.string(),
  roles: TunedRoles,
  timeouts: TunedTimeouts,
});
export type PolicyView = z.infer<typeof PolicyView>;

export const PolicyChanges = z
  .object({
    roles: z
      .object({
        booking: z.object({ concessions: TunedConcessions.partial().strict() }).strict(),
        transfer: z.object({ concessions: TunedConcessions.partial().strict() }).strict(),
        closing: z.object({ concessions: TunedConcessions.partial().strict() }).strict(),
      })
      .partial()
      .strict()
      .optional(),
    timeouts: TunedTimeouts.partial().strict().optional(),
  })
  .strict();
export type PolicyChanges = z.infer<typeof PolicyChanges>;

export const PolicyChangeBody = z.object({
  changes: PolicyChanges,
  reason: z.string().trim().min(3, 'Say why, in at least 3 characters').max(500),
});
export type PolicyChangeBody = z.infer<typeof PolicyChangeBody>;

export const PolicyChangeResponse = z.object({ version: z.string() });
export type PolicyChangeResponse = z.infer<typeof PolicyChangeResponse>;

/** Applies partial changes to the current tunables (pure); validate the result with `TunablePolicy`. */
export function applyPolicyChanges(current: z.input<typeof TunablePolicy>, changes: PolicyChanges) {
  const roles = { ...current.roles };
  for (const role of TunedRole.options) {
    const patch = changes.roles?.[role]?.concessions;
    if (patch) roles[role] = { concessions: { ...current.roles[role].concessions, ...patch } };
  }
  return { roles, timeouts: { ...current.timeouts, ...changes.timeouts } };
}

// --- Errors ----------------------------------------------------------------------------------

/** Every non-2xx answer carries this body (GuardlineError.toJSON). */
export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  action: z.string(),
  details: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const CARD_ROUTES = {
  sessions: '/v1/hubspot/sessions',
  approve: (id: string) => `/v1/hubspot/approvals/${encodeURIComponent(id)}/approve`,
  deny: (id: string) => `/v1/hubspot/approvals/${encodeURIComponent(id)}/deny`,
  policy: '/v1/hubspot/policy',
  suspend: SUSPENSION_ROUTES.suspend,
  liftSuspension: SUSPENSION_ROUTES.lift,
} as const;
