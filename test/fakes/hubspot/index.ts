export type { Fault, FaultMatch } from './faults.ts';
export type { FakeLimits, RateLimitPolicy } from './rate-limit.ts';
export { type FakeHubspot, type FakeHubspotOptions, type RequestLogEntry, startFakeHubspot } from './server.ts';
export type { AppliedWrite, FakeRecord } from './state.ts';
