import { z } from 'zod';
import { Role } from './roles.ts';

/** What an agent tells Guardline about a call or thread when it opens a session. */
export const SessionMeta = z.object({
  sessionId: z.string().min(1).max(200),
  /** Call id (voice) or thread id (message). */
  callId: z.string().min(1).max(200),
  channel: z.enum(['voice', 'message']),
  direction: z.enum(['outbound', 'inbound']),
  role: Role,
  /** Callee's US state (two letters) or another region code; decides consent rules. */
  jurisdiction: z
    .string()
    .regex(/^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$/)
    .transform((s) => s.toUpperCase()),
  /** Callee's IANA time zone, for calling hours. */
  timezone: z.string().min(1).max(64),
  agentId: z.string().min(1).max(200),
  tenantId: z.string().min(1).max(200),
  contactId: z.string().max(100).optional(),
  dealId: z.string().max(100).optional(),
});
export type SessionMeta = z.infer<typeof SessionMeta>;
