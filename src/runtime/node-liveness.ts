import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../store/types.ts';
import type { Clock } from './clock.ts';
import { recordSessionEnd } from './session-end.ts';

/** How often a node tells the store it is alive, and looks for sessions no node runs any more. */
export const HEARTBEAT_MS = 5000;
/** A node silent for this long is gone (killed, crashed, cut off): its sessions are ended. */
export const NODE_LOST_AFTER_MS = 30_000;
/** Why a session whose node was lost ended. */
export const NODE_LOST_END_REASON = 'node_lost';

export interface NodeLivenessDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  /** Whether the session is live on this node (never ended from here as lost). */
  isLiveHere(sessionId: string): boolean;
}

/**
 * This runtime node's heartbeat in the store, and the sweep that ends sessions whose node stopped
 * answering: a node killed outright (SIGKILL, a crash, a lost machine) cannot end its own, and no
 * node can take a recorded session up again, so without the sweep they would stay live in every
 * list for good and never get their call record. Every node sweeps; ending is idempotent.
 */
export class NodeLiveness {
  readonly nodeId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private stopped = false;

  constructor(private readonly deps: NodeLivenessDeps) {}

  /** Records this node as alive (before any session is created on it), then beats and sweeps. */
  async start(): Promise<void> {
    await this.deps.store.nodes.heartbeat(this.nodeId, this.deps.clock.now());
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
    void this.sweep();
  }

  /** Ends every live session whose node was last seen more than NODE_LOST_AFTER_MS ago; returns how many. */
  async sweep(): Promise<number> {
    if (this.sweeping || this.stopped) return 0;
    this.sweeping = true;
    let ended = 0;
    try {
      const now = this.deps.clock.now();
      for (const row of await this.deps.store.sessions.listOrphaned(now - NODE_LOST_AFTER_MS)) {
        if (this.deps.isLiveHere(row.id)) continue;
        this.deps.logger.warn({ sessionId: row.id }, 'ending a session whose runtime node stopped answering');
        await recordSessionEnd(this.deps.store, row.meta, now, NODE_LOST_END_REASON, this.deps.publicUrl);
        ended++;
      }
    } catch (e) {
      this.deps.logger.error({ err: e }, 'looking for sessions of lost nodes failed');
    } finally {
      this.sweeping = false;
    }
    return ended;
  }

  /** Stops beating and removes this node from the store (after its sessions were ended). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.deps.store.nodes
      .leave(this.nodeId)
      .catch((e) => this.deps.logger.error({ err: e }, 'removing this node from the store failed'));
  }

  private async beat(): Promise<void> {
    try {
      await this.deps.store.nodes.heartbeat(this.nodeId, this.deps.clock.now());
    } catch (e) {
      this.deps.logger.error({ err: e }, 'the heartbeat could not be recorded');
    }
    await this.sweep();
  }
}
