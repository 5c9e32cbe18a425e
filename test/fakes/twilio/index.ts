export * from './media-streams-client.ts';
export * from './mulaw.ts';
export * from './rest-server.ts';
