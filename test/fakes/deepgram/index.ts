export * from './messages.ts';
export * from './params.ts';
export * from './script.ts';
export * from './server.ts';
