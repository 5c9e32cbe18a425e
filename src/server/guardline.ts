import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { DeepgramClient } from '@deepgram/sdk';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DeepgramTranscriber } from '../../telephony/deepgram/transcriber.ts';
import { createVerifier } from '../auth/index.ts';
import { CLOSE_CODES } from '../client/protocol.ts';
import type { Config } from '../config/index.ts';
import { createCrmWorker } from '../crm/index.ts';
import { type LoadedPolicy, loadPolicyFile } from '../policy/index.ts';
import { BudgetKeeper } from '../runtime/budgets.ts';
import { type Clock, systemClock } from '../runtime/clock.ts';
import { createEnforcer } from '../runtime/enforcer.ts';
import { Metrics } from '../runtime/metrics.ts';
import { SessionRegistry } from '../runtime/registry.ts';
import type { TranscriberFactory } from '../runtime/transcription.ts';
import { warmUpTranscriptAnalysis } from '../runtime/warm-up.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { buildApp, type RoutePlugin } from './app.ts';
import type { GuardlineContext } from './context.ts';
import { createLogger } from './logger.ts';
import type { HubSpotCardConfig } from './routes/hubspot-card.ts';

export interface GuardlineOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** Default: Deepgram from the config (DEEPGRAM_API_KEY / DEEPGRAM_BASE_URL), or none. */
  transcribers?: TranscriberFactory | null;
  /** More route plugins (approvals API, HubSpot card backend). */
  routes?: readonly RoutePlugin[];
  /** An open store to use (tests); default: open the one the config names. */
  store?: Store;
  /** Run the CRM outbox worker (default true). */
  crmWorker?: boolean;
  helloTimeoutMs?: number;
  /** The CRM card backend (GUARDLINE_HUBSPOT_CLIENT_SECRET, GUARDLINE_HUBSPOT_ROLES); unset: card requests are refused. */
  hubspotCard?: HubSpotCardConfig;
}

function deepgramFactory(config: Config, policy: LoadedPolicy): TranscriberFactory | null {
  const dg = config.deepgram;
  if (!dg) return null;
  const client = new DeepgramClient({ apiKey: dg.apiKey, ...(dg.baseUrl ? { baseUrl: dg.baseUrl } : {}) });
  return (format) =>
    new DeepgramTranscriber(
      {
        apiKey: dg.apiKey,
        ...(dg.baseUrl ? { baseUrl: dg.baseUrl } : {}),
        model: dg.model,
        sendChunkMs: dg.sendChunkMs,
        encoding: format.encoding,
        sampleRate: format.sampleRate,
        lostGraceMs: policy.policy.timeouts.transcription_grace_seconds * 1000,
      },
      { client },
    );
}

/** Stores the policy the runtime starts on as an immutable version (and activates it if none is). */
async function registerPolicy(store: Store, file: string, loaded: LoadedPolicy, now: number): Promise<void> {
  const yaml = await readFile(file, 'utf8');
  await store.policies.create({
    id: loaded.version,
    label: loaded.policy.label,
    contentHash: loaded.hash,
    yaml,
    author: 'system',
    reason: `loaded from ${file} at start`,
    createdAt: now,
    parent: null,
  });
  if (!(await store.policies.getActive())) {
    await store.policies.setActive(loaded.version, {
      actor: 'system',
      reason: 'first policy loaded at start',
      at: now,
    });
  }
}

/**
 * A running Guardline server: listens first (`/healthz` answers, `/readyz` says 503), then loads
 * the policy, warms up transcript analysis and opens the store, then is ready. `shutdown()` holds
 * every live session, flushes and closes.
 */
export class Guardline {
  private crm: { stop(): Promise<void> } | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly app: FastifyInstance,
    readonly ctx: GuardlineContext,
    private readonly ownsStore: boolean,
  ) {}

  get url(): string {
    const address = this.app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  }

  get registry(): SessionRegistry {
    if (!this.ctx.registry) throw new Error('not ready');
    return this.ctx.registry;
  }

  get store(): Store {
    if (!this.ctx.store) throw new Error('not ready');
    return this.ctx.store;
  }

  static async start(options: GuardlineOptions): Promise<Guardline> {
    const { config } = options;
    const logger = options.logger ?? createLogger(config.logLevel);
    const clock = options.clock ?? systemClock;
    let transcribers: TranscriberFactory | null = null;
    const ctx: GuardlineContext = {
      config,
      logger,
      metrics: new Metrics(),
      verifier: createVerifier(config.jwt, config.jwtIssuer),
      clock,
      get transcribers() {
        return transcribers;
      },
      store: null,
      registry: null,
      shuttingDown: false,
      sockets: new Set(),
      helloTimeoutMs: options.helloTimeoutMs ?? 10_000,
      ...(options.hubspotCard ? { hubspotCard: options.hubspotCard } : {}),
    };
    const app = await buildApp(ctx, options.routes);
    await app.listen({ port: config.port, host: config.host });
    const guardline = new Guardline(app, ctx, !options.store);
    try {
      const policy = await loadPolicyFile(config.policyFile);
      warmUpTranscriptAnalysis();
      transcribers = options.transcribers !== undefined ? options.transcribers : deepgramFactory(config, policy);
      const store = options.store ?? (await openStore(config.store));
      ctx.store = store;
      await registerPolicy(store, config.policyFile, policy, clock.now());
      const enforce = createEnforcer({
        store,
        twilio: config.twilio
          ? { accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, baseUrl: config.twilio.baseUrl }
          : null,
        now: () => clock.now(),
      });
      const registry = new SessionRegistry({
        store,
        clock,
        metrics: ctx.metrics,
        logger,
        policy,
        publicUrl: config.crm.publicUrl,
        enforce,
        budgets: new BudgetKeeper(store, logger),
      });
      await registry.start();
      if (options.crmWorker ?? true) {
        const worker = createCrmWorker(store, config.crm, logger);
        worker.start();
        guardline.crm = worker;
      }
      ctx.registry = registry;
      logger.info({ url: guardline.url, policyVersion: policy.version, store: store.backend }, 'guardline ready');
      return guardline;
    } catch (e) {
      await guardline.shutdown('start failed').catch(() => {});
      throw e;
    }
  }

  /** Stops accepting, tells each live session `hold`, flushes, closes. Idempotent. */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.stopping ??= this.stop(reason);
    return this.stopping;
  }

  private async stop(reason: string): Promise<void> {
    const { ctx } = this;
    ctx.shuttingDown = true;
    ctx.logger.info({ reason, liveSessions: ctx.registry?.size ?? 0 }, 'shutting down');
    const registry = ctx.registry;
    if (registry) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, ctx.config.shutdownGraceMs).unref());
      await Promise.race([registry.holdAll('Guardline is shutting down; hold until you reconnect.'), grace]);
    }
    await this.crm?.stop().catch((e) => ctx.logger.error({ err: e }, 'stopping the CRM worker failed'));
    for (const socket of [...ctx.sockets]) socket.close(CLOSE_CODES.goingAway, 'shutting down');
    await registry?.close();
    await this.app.close();
    if (this.ownsStore) await ctx.store?.close();
    ctx.logger.info('stopped');
  }
}
