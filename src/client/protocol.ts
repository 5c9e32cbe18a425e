/**
 * Guardline's agent protocol (`/v1/agent`), version 1: JSON text frames validated by one zod
 * discriminated union each way; binary frames carry audio. docs/protocol.md documents it with a
 * full example session. Shared by the server and the TypeScript client.
 */
import { z } from 'zod';
import type { Decision, Directive } from '../model/index.ts';
import { Role } from '../model/roles.ts';

export const PROTOCOL_VERSION = 1;
const Id = z.string().min(1).max(200);

/** What `hello` says about the call or thread; agent and tenant come from the token. */
export const HelloSession = z.object({
  /** Defaults to `callId`. */
  sessionId: Id.optional(),
  /** Call id (voice; Twilio's call SID when audio arrives on `/v1/telephony/twilio`) or thread id (message). */
  callId: Id,
  channel: z.enum(['voice', 'message']),
  direction: z.enum(['outbound', 'inbound']),
  role: Role,
  jurisdiction: z.string().min(2).max(6),
  timezone: z.string().min(1).max(64),
  contactId: z.string().min(1).max(100).optional(),
  dealId: z.string().min(1).max(100).optional(),
});
export type HelloSession = z.infer<typeof HelloSession>;

export const AudioFormat = z.object({
  encoding: z.enum(['mulaw', 'linear16']),
  sampleRate: z.number().int().min(8000).max(48_000),
});
export type AudioFormat = z.infer<typeof AudioFormat>;

export const AgentMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    protocol: z.literal(PROTOCOL_VERSION).default(PROTOCOL_VERSION),
    session: HelloSession,
    /** Binary frames after `ready` carry the customer's audio in this format (Guardline transcribes it). */
    audio: AudioFormat.optional(),
  }),
  z.object({
    type: z.literal('transcript'),
    speaker: z.enum(['agent', 'customer']),
    text: z.string().max(10_000),
    isFinal: z.boolean(),
    confidence: z.number().min(0).max(1).default(1),
    /** Seconds from the start of the call's audio, when known. */
    start: z.number().nonnegative().optional(),
    end: z.number().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('propose'),
    /** The agent's proposal id; the decision echoes it. Unique within the session. */
    id: Id,
    kind: z.string().min(1).max(40),
    params: z.unknown().optional(),
    /** An override id from an approved request, single-use. */
    override: Id.optional(),
  }),
  z.object({ type: z.literal('event'), event: z.enum(['voicemail', 'transfer_completed', 'call_ended']) }),
  z.object({ type: z.literal('ping'), id: z.string().max(100).optional() }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type AgentMessageInput = z.input<typeof AgentMessage>;
export const AGENT_MESSAGE_TYPES = ['hello', 'transcript', 'propose', 'event', 'ping'] as const;

export interface ReadyMessage {
  type: 'ready';
  protocol: number;
  sessionId: string;
  policyVersion: string;
  /** True when this `hello` joined a session a Twilio stream had already opened. */
  attached: boolean;
  maxFrameBytes: number;
}
export interface DecisionMessage {
  type: 'decision';
  proposalId: string;
  decision: Decision;
}
export interface DirectiveMessage {
  type: 'directive';
  directive: Directive;
}
export interface ApprovalResultMessage {
  type: 'approval_result';
  approvalId: string;
  status: 'approved' | 'denied' | 'expired';
  at: number;
}
export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  action: string;
  /** The proposal id or message type the error answers, when known. */
  ref?: string;
}
export interface PongMessage {
  type: 'pong';
  id?: string;
  at: number;
}
export type ServerMessage =
  | ReadyMessage
  | DecisionMessage
  | DirectiveMessage
  | ApprovalResultMessage
  | ErrorMessage
  | PongMessage;

/** WebSocket close codes Guardline uses (docs/protocol.md). */
export const CLOSE_CODES = {
  /** The session is over and Guardline is done with the connection. */
  normal: 1000,
  /** Guardline is shutting down (the session got a `hold` directive first). */
  goingAway: 1001,
  /** A frame beyond the hard limit (4 × GUARDLINE_MAX_FRAME_BYTES): the connection cannot continue. */
  tooBig: 1009,
  /** Bad token presented in a Twilio `start` (upgrade requests get HTTP 401/403 instead). */
  unauthorized: 4401,
  /** No `hello` within the hello timeout. */
  helloTimeout: 4408,
  /** The agent ignored `end_call` past its grace period: Guardline ended the session itself. */
  enforcedEnd: 4410,
} as const;
