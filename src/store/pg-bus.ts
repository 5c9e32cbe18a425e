import pg from 'pg';
import { isolated, type StoreBus } from './sql-store.ts';
import type { StoreEvent } from './types.ts';

export const APPROVAL_CHANNEL = 'guardline_approvals';

/** The channel for a schema: `guardline_approvals`, or `guardline_approvals_<schema>` for another schema. */
export function approvalChannel(schema?: string): string {
  return schema ? `${APPROVAL_CHANNEL}_${schema}` : APPROVAL_CHANNEL;
}

/** How long the LISTEN connection waits before trying again after it dropped or could not connect. */
const RECONNECT_MS = 1000;

/**
 * Approval and budget events across nodes: the writer calls pg_notify inside its transaction
 * (PostgreSQL delivers it on commit, to every listening node including this one); one dedicated
 * connection per store LISTENs, opened with the first subscriber and reconnected, every second
 * until it succeeds, if it drops. Notifications sent while it is down are lost: the runtime looks
 * up the approvals its sessions wait on (SessionRegistry), so a lost one is late, not missing; a
 * lost budget event leaves that node's sessions with the budget they were last told until the
 * next charge for their agent or tenant. An event without a `type` (from a node running an
 * earlier version) is an approval event.
 */
export function postgresStoreBus(clientConfig: pg.ClientConfig, channel: string): StoreBus {
  const listeners = new Map<(event: StoreEvent) => void, (event: StoreEvent) => void>();
  /** The connection listening, or being opened to listen. */
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retry: NodeJS.Timeout | null = null;
  let closed = false;

  const reconnectLater = (): void => {
    if (closed || retry || listeners.size === 0) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch(reconnectLater);
    }, RECONNECT_MS);
    retry.unref();
  };

  const connect = (): Promise<void> => {
    if (connecting) return connecting;
    const c = new pg.Client(clientConfig);
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return;
      let event: StoreEvent;
      try {
        const parsed = JSON.parse(msg.payload) as StoreEvent | (Omit<StoreEvent, 'type'> & { type?: undefined });
        event = (parsed.type === undefined ? { ...parsed, type: 'approval' } : parsed) as StoreEvent;
      } catch {
        return;
      }
      for (const listener of listeners.values()) listener(event);
    });
    const drop = () => {
      if (client !== c) return; // a connection already given up on
      client = null;
      connecting = null;
      c.end().catch(() => {});
    };
    c.on('error', () => {
      if (client !== c) return;
      drop();
      reconnectLater();
    });
    client = c;
    connecting = c
      .connect()
      .then(() => c.query(`LISTEN ${channel}`))
      .then(
        () => {},
        (e: unknown) => {
          // Not listening: the next subscribe or the retry starts afresh.
          drop();
          throw e;
        },
      );
    return connecting;
  };

  return {
    async publish(tx, event) {
      await tx.all('SELECT pg_notify(?, ?)', [channel, JSON.stringify(event)]);
    },
    async subscribe(listener) {
      listeners.set(listener, isolated(listener));
      try {
        await connect();
      } catch (e) {
        connecting = null;
        listeners.delete(listener);
        throw e;
      }
      return () => {
        listeners.delete(listener);
      };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      listeners.clear();
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
