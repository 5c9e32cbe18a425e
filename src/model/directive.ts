import { z } from 'zod';

/**
 * Runtime-initiated instructions that come from the statechart itself.
 * - `end_call`: end now (opt-out, consent declined, max duration, silence, quiet hours, voicemail);
 *   `say` carries the approved line to speak first (voicemail message), if any.
 * - `wrap_up`: the maximum duration is near; close the conversation.
 * - `disclose`: say the required disclosure (`say`) before anything else.
 * - `hold`: stop acting until told to `resume` (transcription lost, shutdown, suspension).
 * - `resume`: a `hold` is lifted.
 * - `handoff_denied`: a role handoff failed its preconditions; stay in the current role.
 */
export const DirectiveKind = z.enum(['end_call', 'wrap_up', 'disclose', 'hold', 'resume', 'handoff_denied']);
export type DirectiveKind = z.infer<typeof DirectiveKind>;

export const Directive = z.object({
  id: z.string(),
  sessionId: z.string(),
  kind: DirectiveKind,
  rule: z.string(),
  message: z.string(),
  say: z.string().optional(),
  policyVersion: z.string(),
  at: z.number().int(),
});
export type Directive = z.infer<typeof Directive>;
