export { type ApprovalSummary, buildCallRecord, type CallRecord, type CallRecordInput } from './call-record.ts';
export { type CrmConfig, CrmEnv, loadCrmConfig } from './config.ts';
export { HubspotCallError, type HubspotFailure } from './hubspot-failure.ts';
export { HubspotGateway } from './hubspot-gateway.ts';
export { DEFAULT_WORKER_OPTIONS, OutboxWorker, type WorkerOptions } from './outbox-worker.ts';
export { PortalPacer } from './portal-pacer.ts';
export {
  managerRollbackGate,
  type RollbackGate,
  type RollbackProposal,
  type RollbackRequest,
  type RollbackResult,
  requestRollback,
} from './rollback.ts';
export { createCrmWorker } from './runtime.ts';
export { callRecordWrite, type DoNotCallMarker, doNotCallWrite } from './session-end-writes.ts';
