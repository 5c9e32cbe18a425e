export * from './messages.ts';
export * from './parse.ts';
export * from './rest.ts';
export * from './session-meta.ts';
