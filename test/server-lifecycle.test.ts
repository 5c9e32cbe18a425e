import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../src/auth/index.ts';
import { main } from '../src/cli/main.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { isGuardlineError } from '../src/errors/index.ts';
import { openStore } from '../src/store/open.ts';
import { disclosureText, helloSession, SECRET, startServer } from './server-harness.ts';

describe('configuration', () => {
  it('rejects bad variables with one GL_CONFIG_INVALID naming each', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        GUARDLINE_JWT_SECRET: 'short',
        TWILIO_ACCOUNT_SID: 'AC123',
        DATABASE_URL: 'mysql://x',
        GUARDLINE_DATA_DIR: '/tmp/x',
      });
      expect.unreachable();
    } catch (e) {
      expect(isGuardlineError(e) && e.code).toBe('GL_CONFIG_INVALID');
      const message = (e as Error).message;
      for (const name of ['PORT', 'GUARDLINE_JWT_SECRET', 'TWILIO_ACCOUNT_SID', 'DATABASE_URL'])
        expect(message).toContain(name);
    }
  });

  it('works with nothing set (port 8787, SQLite, a generated development secret)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/guardline-config-');
    const config = loadConfig({ GUARDLINE_DATA_DIR: dir });
    expect(config.port).toBe(8787);
    expect(config.store.kind).toBe('sqlite');
    expect(config.jwt).toMatchObject({ kind: 'secret', generated: true });
    expect(loadConfig({ GUARDLINE_DATA_DIR: dir }).jwt).toMatchObject({ kind: 'secret', generated: false });
  });
});

describe('guardline token', () => {
  const run = async (args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => {
      out += c;
    });
    stderr.on('data', (c) => {
      err += c;
    });
    const code = await main(args, { stdout, stderr, stdin: new PassThrough(), env: { GUARDLINE_JWT_SECRET: SECRET } });
    return { code, out: out.trim(), err };
  };

  it('mints agent and user tokens the server accepts', async () => {
    const verifier = createVerifier({ kind: 'secret', secret: SECRET }, 'guardline');
    const agent = await run([
      'token',
      '--agent',
      'bot-7',
      '--tenant',
      'acme',
      '--roles',
      'booking,closing',
      '--ttl',
      '15m',
    ]);
    expect(agent.code).toBe(0);
    const identity = await verifier.verify(agent.out);
    expect(identity).toMatchObject({
      kind: 'agent',
      agentId: 'bot-7',
      tenantId: 'acme',
      roles: ['booking', 'closing'],
    });
    expect(identity.expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
    const user = await run(['token', '--user', 'mgr-1', '--roles', 'approver']);
    expect(await verifier.verify(user.out)).toMatchObject({ kind: 'user', userId: 'mgr-1', roles: ['approver'] });
    const bad = await run(['token', '--agent', 'bot-7', '--roles', 'emperor']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--tenant');
  });
});

describe('health, metrics and graceful shutdown', () => {
  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    const server = await startServer();
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { store: true, policy: true } });
      const a = await GuardlineAgent.connect({
        url: server.url,
        token: await server.agentToken(),
        session: helloSession(),
      });
      await a.propose('say', { text: disclosureText() });
      await a.propose('transfer', { target: 'nowhere' });
      const text = await (await fetch(`${server.url}/metrics`)).text();
      expect(text).toContain('guardline_live_sessions 1');
      expect(text).toContain('guardline_decisions_total{outcome="allow"} 1');
      expect(text).toContain('guardline_decisions_total{outcome="deny"} 1');
      expect(text).toMatch(/guardline_decision_latency_seconds_count 2/);
      expect(text).toContain('# TYPE guardline_transcription_lag_seconds histogram');
      expect(text).toContain('# TYPE guardline_websocket_errors_total counter');
      await a.close();
    } finally {
      await server.close();
    }
  });

  it('on shutdown tells each live session hold, refuses new ones, then closes with 1001', async () => {
    const server = await startServer();
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    const b = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    const closed = Promise.all([a, b].map((x) => new Promise<number>((resolve) => x.on('close', (c) => resolve(c)))));
    const registry = server.gl.registry;
    const stopping = server.close();
    const meta = { ...a.ready, ...helloSession(), sessionId: 'late', agentId: 'agent-1', tenantId: 'acme' };
    await expect(registry.open(meta, 'agent')).rejects.toMatchObject({ code: 'GL_SERVER_SHUTTING_DOWN' });
    const holds = await Promise.all([a.directive('hold'), b.directive('hold')]);
    expect(holds.map((h) => h.sessionId)).toEqual([a.sessionId, b.sessionId]);
    expect(await closed).toEqual([1001, 1001]);
    await stopping;
  });

  /**
   * Connects `count` agents, lets `before` act on them, shuts the server down, and checks that
   * every session ended in the store with `endReason` and its one call record.
   */
  async function endsAtShutdown(
    count: number,
    endReason: string,
    before: (agents: GuardlineAgent[]) => Promise<unknown>,
  ) {
    const server = await startServer();
    const agents = await Promise.all(
      Array.from({ length: count }, async () =>
        GuardlineAgent.connect({ url: server.url, token: await server.agentToken(), session: helloSession() }),
      ),
    );
    await before(agents);
    await server.gl.shutdown('test');
    const store = await openStore(server.gl.ctx.config.store, { readOnly: true });
    try {
      expect(await store.sessions.listLive()).toEqual([]);
      for (const a of agents) {
        expect((await store.sessions.get(a.sessionId))?.endReason).toBe(endReason);
        expect(await store.outbox.list({ sessionId: a.sessionId })).toHaveLength(1);
      }
    } finally {
      await store.close();
      await server.close();
    }
  }

  it('ends the sessions of a runtime node that stopped answering, with their call records, not its own', async () => {
    const server = await startServer();
    try {
      const own = await GuardlineAgent.connect({
        url: server.url,
        token: await server.agentToken(),
        session: helloSession(),
      });
      const { store, registry } = server.gl;
      const lostAt = Date.now() - 60_000;
      const meta = { ...helloSession(), sessionId: 'on-a-lost-node', agentId: 'agent-9', tenantId: 'acme' };
      await store.nodes.heartbeat('lost-node', lostAt);
      await store.sessions.create(meta, registry.currentPolicy.version, lostAt, 'lost-node');
      expect(await registry.liveness.sweep()).toBe(1);
      expect((await store.sessions.get('on-a-lost-node'))?.endReason).toBe('node_lost');
      expect(await store.outbox.list({ sessionId: 'on-a-lost-node' })).toHaveLength(1);
      expect((await store.sessions.get(own.sessionId))?.endedAt).toBeNull();
      expect(await registry.liveness.sweep()).toBe(0);
      await own.close();
    } finally {
      await server.close();
    }
  });

  it('ends the sessions still live at shutdown in the store, with their call records', async () => {
    await endsAtShutdown(2, 'shutdown', async () => {});
  });

  it('a session that ended just before shutdown still gets its end and call record written', async () => {
    // The agents hang up (their sessions end) and the server is told to stop at once.
    await endsAtShutdown(3, 'call_ended', (agents) => Promise.all(agents.map((a) => a.close())));
  });
});
