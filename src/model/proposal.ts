import { z } from 'zod';
import { Role } from './roles.ts';

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

const Id = z.string().min(1).max(200);
const Text = z.string().min(1).max(10_000);

export const ConcessionType = z.enum([
  'percent_off',
  'amount_off',
  'price',
  'free_period',
  'waived_fee',
  'price_match',
]);
export type ConcessionType = z.infer<typeof ConcessionType>;

export const ConcessionParams = z.object({
  type: ConcessionType,
  /** Percent for `percent_off`, USD for `amount_off` and `price`, months for `free_period`. */
  value: z.number().finite().nonnegative().nullable().default(null),
  /** What the fee is for `waived_fee`, whose price for `price_match`. */
  label: z.string().max(200).optional(),
});
export type ConcessionParams = z.infer<typeof ConcessionParams>;

export const CrmObject = z.enum(['contact', 'deal', 'note', 'task', 'call']);
export type CrmObject = z.infer<typeof CrmObject>;

export const CrmWriteParams = z.object({
  object: CrmObject,
  /** The record to update; absent for a create. */
  id: z.string().min(1).max(100).optional(),
  properties: z.record(
    z.string().min(1).max(100),
    z.union([z.string().max(65_536), z.number(), z.boolean(), z.null()]),
  ),
});
export type CrmWriteParams = z.infer<typeof CrmWriteParams>;

const base = { id: Id, sessionId: Id, override: Id.optional() };

/** A consequential act an agent wants to take; it must pass the gate first. */
export const Proposal = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('say'), params: z.object({ text: Text }) }),
  z.object({ ...base, kind: z.literal('concession'), params: ConcessionParams }),
  z.object({ ...base, kind: z.literal('transfer'), params: z.object({ target: Id }) }),
  z.object({
    ...base,
    kind: z.literal('end_call'),
    params: z.object({ reason: z.string().max(500).optional() }).default({}),
  }),
  z.object({
    ...base,
    kind: z.literal('extend_call'),
    params: z.object({ seconds: z.number().int().positive().max(86_400) }),
  }),
  z.object({ ...base, kind: z.literal('crm_write'), params: CrmWriteParams }),
  z.object({
    ...base,
    kind: z.literal('book_meeting'),
    params: z.object({
      start: z.iso.datetime({ offset: true }),
      durationMinutes: z.number().int().positive().max(480),
      title: z.string().max(300).optional(),
    }),
  }),
  z.object({
    ...base,
    kind: z.literal('send_message'),
    params: z.object({ text: Text, to: z.string().max(200).optional() }),
  }),
  z.object({ ...base, kind: z.literal('role_handoff'), params: z.object({ to: Role }) }),
]);
export type Proposal = z.infer<typeof Proposal>;
export type ProposalOf<K extends ProposalKind> = Extract<Proposal, { kind: K }>;
