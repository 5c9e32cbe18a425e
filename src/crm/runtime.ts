import type { Logger } from 'pino';
import type { Store } from '../store/types.ts';
import type { CrmConfig } from './config.ts';
import { HubspotGateway } from './hubspot-gateway.ts';
import { OutboxWorker, type WorkerOptions } from './outbox-worker.ts';
import { PortalPacer } from './portal-pacer.ts';

/** HubSpot's search API has its own, lower limit (a few requests per second per portal). */
const SEARCH_PER_SECOND = 4;

/**
 * Builds the outbox worker the runtime runs: one pacer per portal (this token), the gateway when a
 * token is configured, otherwise none (writes are kept as `not_configured`). The token goes to the
 * gateway only; it is never logged.
 */
export function createCrmWorker(
  store: Pick<Store, 'outbox' | 'sessions'>,
  config: CrmConfig,
  logger: Logger,
  options: Partial<WorkerOptions> = {},
): OutboxWorker {
  const gateway = config.accessToken
    ? new HubspotGateway({ accessToken: config.accessToken, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs })
    : null;
  return new OutboxWorker({
    store,
    gateway,
    pacer: new PortalPacer({ limit: config.ratePer10s }),
    searchPacer: new PortalPacer({ limit: SEARCH_PER_SECOND, intervalMs: 1_000, margin: 0 }),
    writeIdProperty: config.writeIdProperty,
    logger: logger.child({ component: 'crm-outbox', portal: new URL(config.baseUrl).host }),
    options,
  });
}
