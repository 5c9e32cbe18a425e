import pg from 'pg';
import { type ApprovalBus, isolated } from './sql-store.ts';
import type { ApprovalEvent } from './types.ts';

export const APPROVAL_CHANNEL = 'guardline_approvals';

/** The channel for a schema: `guardline_approvals`, or `guardline_approvals_<schema>` for another schema. */
export function approvalChannel(schema?: string): string {
  return schema ? `${APPROVAL_CHANNEL}_${schema}` : APPROVAL_CHANNEL;
}

/**
 * Approval events across nodes: the writer calls pg_notify inside its transaction (PostgreSQL
 * delivers it on commit, to every listening node including this one); one dedicated connection
 * per store LISTENs, opened with the first subscriber and reconnected if it drops.
 */
export function postgresApprovalBus(clientConfig: pg.ClientConfig, channel: string): ApprovalBus {
  const listeners = new Map<(event: ApprovalEvent) => void, (event: ApprovalEvent) => void>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;

  const connect = (): Promise<void> => {
    if (connecting) return connecting;
    const c = new pg.Client(clientConfig);
    c.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return;
      let event: ApprovalEvent;
      try {
        event = JSON.parse(msg.payload) as ApprovalEvent;
      } catch {
        return;
      }
      for (const listener of listeners.values()) listener(event);
    });
    c.on('error', () => {
      client = null;
      connecting = null;
      c.end().catch(() => {});
      if (!closed && listeners.size > 0) setTimeout(() => void connect().catch(() => {}), 1000).unref();
    });
    connecting = c
      .connect()
      .then(() => c.query(`LISTEN ${channel}`))
      .then(() => {
        client = c;
      });
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
      listeners.clear();
      await connecting?.catch(() => {});
      await client?.end().catch(() => {});
    },
  };
}
