/** A real Guardline serving the CRM card's routes, and the card's own API client signed as HubSpot signs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createGuardlineApi,
  type GuardlineApi,
  GuardlineApiError,
} from '../crm-extension/src/app/cards/lib/guardline-api.ts';
import { loadConfig } from '../src/config/index.ts';
import type { HubSpotRoleMapping } from '../src/hubspot-card/index.ts';
import { Guardline } from '../src/server/guardline.ts';
import { createLogger } from '../src/server/logger.ts';
import { createHubSpotFetchProxy } from './fakes/hubspot-signer.ts';
import { freePort, policyFile, SECRET } from './server-harness.ts';

export const CLIENT_SECRET = 'hubspot-app-client-secret';

export interface CardServer {
  gl: Guardline;
  /** GUARDLINE_PUBLIC_URL: the signed URIs are built from it. */
  base: string;
  /** The card as HubSpot user `userId` of account `portalId`. */
  cardAs(userId: number, portalId: number): GuardlineApi;
  close(): Promise<void>;
}

export async function startCardServer(card: {
  roles: HubSpotRoleMapping;
  portals?: ReadonlyMap<string, string> | null;
}): Promise<CardServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guardline-card-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    GUARDLINE_DATA_DIR: dir,
    GUARDLINE_JWT_SECRET: SECRET,
    GUARDLINE_POLICY_FILE: policyFile(dir, {
      // Within the card's TUNING_LIMITS (the short test policy's 30 s call is below them).
      max_call_seconds: 900,
      wrap_up_warning_seconds: 60,
      silence_seconds: 60,
      approval_wait_seconds: 60,
    }),
    GUARDLINE_PUBLIC_URL: base,
    LOG_LEVEL: 'silent',
  });
  const gl = await Guardline.start({
    config,
    logger: createLogger('silent'),
    crmWorker: false,
    hubspotCard: { clientSecret: CLIENT_SECRET, ...card },
  });
  return {
    gl,
    base,
    cardAs(userId, portalId) {
      const proxy = createHubSpotFetchProxy({
        clientSecret: CLIENT_SECRET,
        caller: { userId, portalId, userEmail: `u${userId}@acme.com`, appId: 3 },
      });
      return createGuardlineApi(proxy.fetch, base);
    },
    async close() {
      await gl.shutdown('test done');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The card API's error from `promise`, which must fail with one. */
export async function failure(promise: Promise<unknown>): Promise<GuardlineApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof GuardlineApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}
