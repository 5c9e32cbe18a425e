/**
 * The policy schema: the single source of truth for what a policy file may say. Types are
 * inferred from it; `guardline policy check` and the runtime both validate with it.
 */
import { z } from 'zod';
import { CrmObject, ProposalKind } from '../src/model/proposal.ts';
import { Role, Tier } from '../src/model/roles.ts';

const seconds = z.number().int().positive();
const percent = z.number().min(0).max(100);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24h)');
const usState = z.string().regex(/^[A-Z]{2}$/, 'expected a two-letter state code');

export const Timeouts = z.strictObject({
  /** Longest a call may last before Guardline ends it. */
  max_call_seconds: seconds,
  /** How long before the maximum the agent is told to wrap up. */
  wrap_up_warning_seconds: seconds,
  /** How long nobody may speak before the call is ended. */
  silence_seconds: seconds,
  /** How long a held proposal waits for a human before the fallback. */
  approval_wait_seconds: seconds,
  /** How long transcription may be lost before proposals needing understanding are held. */
  transcription_grace_seconds: seconds,
  /** How long the agent has to obey an `end_call` directive before Guardline enforces it. */
  end_call_grace_seconds: seconds,
  /** Longest a single `extend_call` may add. */
  max_extension_seconds: seconds,
});

export const ConcessionBounds = z
  .strictObject({
    auto_max_percent: percent,
    approval_max_percent: percent,
    auto_max_usd: z.number().nonnegative(),
    approval_max_usd: z.number().nonnegative(),
    auto_max_free_months: z.number().int().nonnegative(),
    approval_max_free_months: z.number().int().nonnegative(),
    /** Tier for waiving a fee and for matching a competitor's price. */
    waive_fee: Tier,
    price_match: Tier,
    /** Lowest price (USD) the agent may quote; `null` means no floor. */
    price_floor_usd: z.number().nonnegative().nullable(),
    max_count: z.number().int().nonnegative(),
    cumulative_max_percent: percent,
    cumulative_max_usd: z.number().nonnegative(),
    /** When a concession exceeds the cumulative cap only in part: clip it (`sanitize`) or `deny` it. */
    over_cumulative: z.enum(['sanitize', 'deny']),
  })
  .refine((b) => b.auto_max_percent <= b.approval_max_percent, {
    message: 'auto_max_percent must not exceed approval_max_percent',
    path: ['auto_max_percent'],
  })
  .refine((b) => b.auto_max_usd <= b.approval_max_usd, {
    message: 'auto_max_usd must not exceed approval_max_usd',
    path: ['auto_max_usd'],
  })
  .refine((b) => b.auto_max_free_months <= b.approval_max_free_months, {
    message: 'auto_max_free_months must not exceed approval_max_free_months',
    path: ['auto_max_free_months'],
  });

/** Per CRM object: the tier for creating one, and per property the tier for writing it. Unlisted → forbidden. */
export const CrmObjectRights = z.strictObject({
  create: Tier.default('forbidden'),
  properties: z.record(z.string().min(1), Tier).default({}),
});

export const RolePolicy = z.strictObject({
  /** What this role is for, in a sentence a rep can read. */
  mandate: z.string().min(1),
  /** Autonomy tier per proposal kind. Kinds not listed are forbidden. */
  tiers: z.partialRecord(ProposalKind, Tier),
  /** Tier for commitments in speech (guarantees, contract terms, dates). */
  commitments: Tier,
  concessions: ConcessionBounds,
  /** Roles this one may hand off to, and what must hold first. */
  handoff: z.strictObject({
    to: z.array(Role),
    requires_consent: z.boolean(),
    requires_no_pending_approval: z.boolean(),
  }),
  /** Transfer targets (ids from `transfers`) this role may use. */
  transfer_targets: z.array(z.string()).default([]),
  crm: z.partialRecord(CrmObject, CrmObjectRights).default({}),
});

export const BudgetCaps = z.strictObject({
  concession_percent_points: z.number().nonnegative().nullable().default(null),
  concession_usd: z.number().nonnegative().nullable().default(null),
  approvals: z.number().int().nonnegative().nullable().default(null),
  calls: z.number().int().nonnegative().nullable().default(null),
});

export const CallingWindow = z.strictObject({ start: clock, end: clock });

export const Policy = z.strictObject({
  /** A human label; the version recorded in decisions is `label@contenthash`. */
  label: z.string().min(1).max(80),
  timeouts: Timeouts.refine((t) => t.wrap_up_warning_seconds < t.max_call_seconds, {
    message: 'wrap_up_warning_seconds must be shorter than max_call_seconds',
    path: ['wrap_up_warning_seconds'],
  }),
  voicemail: z.strictObject({
    action: z.enum(['hang_up', 'leave_message']),
    /** The approved message left on voicemail when action is leave_message. */
    message: z.string().min(1).nullable(),
  }),
  consent: z.strictObject({
    require_ai_disclosure: z.boolean(),
    /** `all_party_states`: disclose recording where the callee's state requires all-party consent. */
    recording_disclosure: z.enum(['always', 'all_party_states', 'never']),
    all_party_states: z.array(usState),
    disclosure_text: z.string().min(1),
    /** Transcript facts below this confidence never widen anything. */
    confidence_threshold: z.number().min(0).max(1),
    /** What to do when the customer declines recording. */
    on_decline: z.enum(['end_call', 'continue_unrecorded']),
    /** The one line the agent may still say after an opt-out, before it hangs up. */
    opt_out_line: z
      .string()
      .min(1)
      .default("Understood. I've taken you off our list and you won't hear from us again. Goodbye."),
  }),
  calling_hours: z.strictObject({
    default: CallingWindow,
    by_state: z.record(usState, CallingWindow).default({}),
  }),
  speech: z.strictObject({
    /** Deny a `say` that uses a pressure tactic. */
    forbid_pressure: z.boolean(),
    /** Redact personal data in messages the agent sends (`sanitize`). */
    redact_pii_in_messages: z.boolean(),
  }),
  approvals: z.strictObject({
    approver_role: z.string().min(1),
    /** Kinds that need two different approvers. */
    two_approvers_for: z.array(ProposalKind).default([]),
    /** What the agent says while a proposal waits, and when an approval expires. */
    fallback_line: z.string().min(1),
    expired_line: z.string().min(1),
    /** How long an approved override stays usable. */
    override_ttl_seconds: seconds,
  }),
  transfers: z
    .array(z.strictObject({ id: z.string().min(1), label: z.string().min(1), number: z.string().min(1) }))
    .default([]),
  crm: z.strictObject({
    /** The write made on an opt-out; never blocked by tiers. */
    do_not_call: z.strictObject({ object: z.literal('contact'), property: z.string().min(1), value: z.string() }),
  }),
  /** Caps across sessions, per day, counted in the store. `null` means no cap. */
  budgets: z
    .strictObject({
      per_agent_daily: BudgetCaps,
      per_tenant_daily: BudgetCaps,
      on_exceed: z.enum(['needs_approval', 'deny']),
    })
    .prefault({ per_agent_daily: {}, per_tenant_daily: {}, on_exceed: 'deny' }),
  roles: z.strictObject({ booking: RolePolicy, transfer: RolePolicy, closing: RolePolicy }),
  /**
   * How this version is rolled out once published (absent: new sessions only, one manager).
   * `applies: immediately` switches live sessions at once (e.g. a tightened bound); each decision
   * records the version that made it. `second_approver`: while this version is active, publishing
   * the next one needs a second manager.
   */
  publishing: z
    .strictObject({
      applies: z.enum(['new_sessions', 'immediately']).default('new_sessions'),
      second_approver: z.boolean().default(false),
    })
    .optional(),
});

export type Policy = z.infer<typeof Policy>;
export type RolePolicy = z.infer<typeof RolePolicy>;
export type ConcessionBounds = z.infer<typeof ConcessionBounds>;
export type Timeouts = z.infer<typeof Timeouts>;
