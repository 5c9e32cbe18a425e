import type { Logger } from 'pino';
import { mintToken, type UserRole } from '../auth/index.ts';
import { loadConfig } from '../config/index.ts';
import type { Role } from '../model/index.ts';
import { Guardline } from '../server/guardline.ts';
import { createLogger } from '../server/logger.ts';

export interface LocalServer {
  gl: Guardline;
  url: string;
  agentToken(agentId: string, roles: Role[], tenant?: string): Promise<string>;
  userToken(userId: string, roles: UserRole[]): Promise<string>;
}

/** A Guardline on 127.0.0.1 with an embedded SQLite store under `dataDir` and a known token secret (demo, tests). */
export async function startLocalServer(options: {
  dataDir: string;
  secret: string;
  policyFile?: string;
  port?: number;
  logger?: Logger;
  env?: Record<string, string>;
  crmWorker?: boolean;
}): Promise<LocalServer> {
  const config = loadConfig({
    PORT: String(options.port ?? 0),
    HOST: '127.0.0.1',
    GUARDLINE_DATA_DIR: options.dataDir,
    GUARDLINE_JWT_SECRET: options.secret,
    LOG_LEVEL: 'silent',
    ...(options.policyFile ? { GUARDLINE_POLICY_FILE: options.policyFile } : {}),
    ...options.env,
  });
  const gl = await Guardline.start({
    config,
    logger: options.logger ?? createLogger('silent'),
    crmWorker: options.crmWorker ?? false,
  });
  return {
    gl,
    url: gl.url,
    agentToken: (agentId, roles, tenant = 'acme') =>
      mintToken(options.secret, { kind: 'agent', agentId, tenantId: tenant, roles }, { ttlSeconds: 3600 }),
    userToken: (userId, roles) => mintToken(options.secret, { kind: 'user', userId, roles }, { ttlSeconds: 3600 }),
  };
}
