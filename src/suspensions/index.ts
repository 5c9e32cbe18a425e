export { SuspensionEnforcer } from './enforcer.ts';
export { covers, liftSuspension, SuspendRequest, suspend, suspendedError, suspensionMessage } from './service.ts';
