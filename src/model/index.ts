export * from './decision.ts';
export * from './directive.ts';
export * from './proposal.ts';
export * from './roles.ts';
export * from './session-meta.ts';
