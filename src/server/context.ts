import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/index.ts';
import type { Config } from '../config/index.ts';
import type { Clock } from '../runtime/clock.ts';
import type { Metrics } from '../runtime/metrics.ts';
import type { SessionRegistry } from '../runtime/registry.ts';
import type { TranscriberFactory } from '../runtime/transcription.ts';
import type { Store } from '../store/types.ts';
import type { HubSpotCardConfig } from './routes/hubspot-card.ts';

/**
 * What every route plugin gets (`app.register(plugin, { ctx })`). `store` and `registry` are null
 * until the store is open and the policy loaded (`ready`); routes that need them answer
 * GL_SERVER_NOT_READY before that.
 */
export interface GuardlineContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  /** Null: no transcription service; audio cannot be transcribed (Twilio streams fail closed). */
  readonly transcribers: TranscriberFactory | null;
  store: Store | null;
  registry: SessionRegistry | null;
  shuttingDown: boolean;
  /** Closes every open WebSocket on shutdown (after the hold directives went out). */
  readonly sockets: Set<{ close(code?: number, reason?: string): void }>;
  /** Milliseconds an agent has to send `hello` after connecting. */
  readonly helloTimeoutMs: number;
  /** The CRM card backend's client secret and role mapping; unset: card requests are refused. */
  readonly hubspotCard?: HubSpotCardConfig;
}

export function isReady(ctx: GuardlineContext): ctx is GuardlineContext & { store: Store; registry: SessionRegistry } {
  return ctx.store !== null && ctx.registry !== null && !ctx.shuttingDown;
}
