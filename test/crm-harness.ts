/** Shared setup for the CRM tests: a real SQLite store in a temp dir, the fake HubSpot, a worker on a virtual clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { HubspotGateway } from '../src/crm/hubspot-gateway.ts';
import { OutboxWorker, type WorkerOptions } from '../src/crm/outbox-worker.ts';
import { PortalPacer } from '../src/crm/portal-pacer.ts';
import type { SessionMeta } from '../src/model/index.ts';
import { openStore, sqliteConfig } from '../src/store/index.ts';
import type { OutboxEnqueue, Store } from '../src/store/types.ts';
import { type FakeHubspot, startFakeHubspot } from './fakes/hubspot/index.ts';

export const WRITE_ID_PROPERTY = 'guardline_write_id';
export const EXTRA_PROPERTIES = {
  contacts: ['guardline_do_not_call', WRITE_ID_PROPERTY],
  deals: [WRITE_ID_PROPERTY],
  notes: [WRITE_ID_PROPERTY],
  calls: [WRITE_ID_PROPERTY],
  tasks: [WRITE_ID_PROPERTY],
};

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'guardline-crm-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openTestStore(dir: string): Promise<Store> {
  return openStore(sqliteConfig(path.join(dir, 'guardline.db')), { onKeyGenerated: () => {} });
}

export function sessionMeta(over: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId: 's-1',
    callId: 'call-1',
    channel: 'voice',
    direction: 'outbound',
    role: 'booking',
    jurisdiction: 'CA',
    timezone: 'America/Los_Angeles',
    agentId: 'agent-7',
    tenantId: 'acme',
    ...over,
  };
}

export function write(over: Partial<OutboxEnqueue> & Pick<OutboxEnqueue, 'id' | 'object'>): OutboxEnqueue {
  return {
    sessionId: 's-1',
    decisionId: `${over.id}.decision`,
    idempotencyKey: `key:${over.id}`,
    objectId: null,
    properties: {},
    createdAt: 1_000,
    ...over,
  };
}

/** A clock the worker, pacer and store share; sleeping advances it at once. */
export class VirtualClock {
  t = 1_000_000;
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

export interface Harness {
  store: Store;
  fake: FakeHubspot;
  clock: VirtualClock;
  worker: OutboxWorker;
  /** Runs the worker until nothing is pending, moving the clock to each retry's due time. */
  drain(maxRounds?: number): Promise<void>;
  close(): Promise<void>;
}

export async function harness(
  options: { configured?: boolean; worker?: Partial<WorkerOptions>; timeoutMs?: number } = {},
): Promise<Harness> {
  const tmp = tempDir();
  const store = await openTestStore(tmp.dir);
  const fake = await startFakeHubspot({ extraProperties: EXTRA_PROPERTIES });
  const clock = new VirtualClock();
  const gateway =
    options.configured === false
      ? null
      : new HubspotGateway({ accessToken: fake.token, baseUrl: fake.url, timeoutMs: options.timeoutMs ?? 400 });
  const pacer = new PortalPacer({ limit: 100, now: clock.now, sleep: clock.sleep });
  const worker = new OutboxWorker({
    store,
    gateway,
    pacer,
    searchPacer: new PortalPacer({ limit: 4, intervalMs: 1_000, margin: 0, now: clock.now, sleep: clock.sleep }),
    writeIdProperty: WRITE_ID_PROPERTY,
    logger: pino({ level: 'silent' }),
    options: { maxAttempts: 5, baseBackoffMs: 100, searchSettleMs: 1_000, ...options.worker },
    now: clock.now,
    random: () => 0.5,
  });
  return {
    store,
    fake,
    clock,
    worker,
    async drain(maxRounds = 200) {
      for (let i = 0; i < maxRounds; i++) {
        if ((await worker.runOnce()) > 0) continue;
        const pending = await store.outbox.list({ status: 'pending' });
        if (pending.length === 0) return;
        const due = Math.min(...pending.map((r) => Math.max(r.nextAttemptAt, r.leaseUntil ?? 0)));
        clock.t = Math.max(clock.t, due, pacer.resumesAt());
      }
      throw new Error('outbox did not drain');
    },
    async close() {
      await fake.close();
      await store.close();
      tmp.remove();
    },
  };
}

/** How many times the fake applied a create carrying this write id. */
export function createsOf(fake: FakeHubspot, writeId: string): number {
  return fake.state.applied.filter((w) => w.op === 'create' && w.properties[WRITE_ID_PROPERTY] === writeId).length;
}
