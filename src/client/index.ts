export { type ConnectOptions, GuardlineAgent, GuardlineProtocolError } from './agent-client.ts';
export * from './protocol.ts';
