export * from './backoff.ts';
export * from './config.ts';
export * from './events.ts';
export * from './transcriber.ts';
