import type { ServerMessage } from '../client/protocol.ts';

/** The agent's side of a session: its `/v1/agent` connection. */
export interface AgentPort {
  readonly agentId: string;
  send(message: ServerMessage): void;
  close(code: number, reason: string): void;
}

/** The telephony side of a session: a Twilio Media Stream carrying the call's audio. */
export interface StreamPort {
  readonly callSid: string;
  /** Whether Guardline can send to the stream (`clear` cuts the agent's audio). */
  readonly bidirectional: boolean;
  clear(): void;
  close(reason: string): void;
}
