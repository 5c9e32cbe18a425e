export { type Clock, systemClock } from './clock.ts';
export { createEnforcer, type Enforcer } from './enforcer.ts';
export { type LiveInput, LiveSession } from './live-session.ts';
export { Metrics } from './metrics.ts';
export type { AgentPort, StreamPort } from './ports.ts';
export { SessionRegistry } from './registry.ts';
