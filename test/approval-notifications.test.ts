/**
 * An approval's result reaches the live session even when its notification does not: the
 * registry looks up the approvals its sessions wait on. And the PostgreSQL LISTEN connection
 * comes back after PostgreSQL was unreachable for a while, through a loopback proxy the test
 * cuts and restores.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineAgent } from '../src/client/index.ts';
import type { ApprovalResultMessage } from '../src/client/protocol.ts';
import { postgresStoreBus } from '../src/store/pg-bus.ts';
import type { ApprovalEvent } from '../src/store/types.ts';
import { api, userToken } from './approvals-api-support.ts';
import { disclosureText, helloSession, policyFile, startServer, type TestServer } from './server-harness.ts';
import { BACKENDS, PG_URL } from './store-backends.ts';

describe('an approval whose notification was lost', () => {
  let server: TestServer;
  /** While true, the node hears no approval notifications (as when its LISTEN connection is down). */
  let deaf = false;
  beforeAll(async () => {
    server = await startServer({
      policy: (dir) => policyFile(dir, { approval_wait_seconds: 60 }),
      store: (store) => ({ ...store, onApproval: (listener) => store.onApproval((e) => deaf || listener(e)) }),
    });
  });
  afterAll(async () => server?.close());

  it('still reaches the session waiting on it, once', async () => {
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken('agent-1', ['closing']),
      session: helloSession(),
    });
    await agent.propose('say', { text: disclosureText() });
    const held = await agent.propose('concession', { type: 'percent_off', value: 20 });
    expect(held.outcome).toBe('needs_approval');
    deaf = true;
    const result = agent.waitFor((m) => m.type === 'approval_result', 8000) as Promise<ApprovalResultMessage>;
    const approved = await api(
      server.url,
      'POST',
      `/v1/approvals/${encodeURIComponent(held.approval?.id as string)}/approve`,
      await userToken('ann', ['approver']),
      { reason: 'fine this once' },
    );
    expect(approved.status).toBe(200);
    expect(await result).toMatchObject({ approvalId: held.approval?.id, status: 'approved' });
    const final = await agent.waitFor(
      (m) => m.type === 'decision' && m.proposalId === held.proposalId && m.decision.outcome === 'allow',
    );
    expect(final).toMatchObject({ decision: { overrideId: expect.any(String) } });
    // Later rechecks find nothing more to deliver.
    await new Promise((r) => setTimeout(r, 2500));
    expect(agent.messages.filter((m) => m.type === 'approval_result')).toHaveLength(1);
    await agent.close();
  });
});

/** A TCP proxy to PostgreSQL that can cut every connection and refuse new ones, then come back. */
async function pgProxy(): Promise<{ url: string; cut(): void; restore(): Promise<void>; close(): Promise<void> }> {
  const target = new URL(PG_URL);
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  const url = new URL(PG_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const cut = () => {
    server.close();
    for (const s of sockets) s.destroy();
  };
  return { url: url.toString(), cut, restore: listen, close: async () => cut() };
}

describe.runIf(BACKENDS.some((b) => b.name === 'postgres'))('the PostgreSQL approval bus', () => {
  it('listens again once PostgreSQL is reachable again, however long that takes', async () => {
    const proxy = await pgProxy();
    const channel = `guardline_approvals_test_${process.pid}_${Date.now()}`;
    const bus = postgresStoreBus({ connectionString: proxy.url }, channel);
    const heard: ApprovalEvent[] = [];
    // Sent without a `type`, as a node of an earlier version does: read as approval events.
    await bus.subscribe((e) => {
      if (e.type === 'approval') heard.push(e);
    });
    const notifier = new pg.Client({ connectionString: PG_URL });
    await notifier.connect();
    const notify = (approvalId: string) =>
      notifier.query('SELECT pg_notify($1, $2)', [
        channel,
        JSON.stringify({ approvalId, status: 'approved', sessionId: 's1' }),
      ]);
    try {
      await notify('a1');
      await expect.poll(() => heard.map((e) => e.approvalId), { timeout: 5000 }).toContain('a1');
      // PostgreSQL is unreachable for longer than one retry: the first reconnects fail.
      proxy.cut();
      await new Promise((r) => setTimeout(r, 2500));
      await proxy.restore();
      await expect
        .poll(
          async () => {
            await notify('a2');
            return heard.map((e) => e.approvalId);
          },
          { timeout: 8000, interval: 300 },
        )
        .toContain('a2');
    } finally {
      await notifier.end();
      await bus.close();
      await proxy.close();
    }
  });
});
