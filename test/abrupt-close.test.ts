import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Store } from '../src/store/types.ts';
import { TwilioMediaStreamClient } from './fakes/twilio/index.ts';
import { helloSession, startServer, type TestServer, TWILIO_CALL_PARAMETERS } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ transcribers: null });
});
afterAll(async () => server?.close());

/**
 * Holds the next `sessions.create` until `release()`: the socket can then close while its session
 * is being opened. Resolves `started` with the session id once the create is waiting.
 */
function holdNextCreate(store: Store) {
  const sessions = store.sessions;
  const original = sessions.create;
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started: (id: string) => void = () => {};
  const waiting = new Promise<string>((resolve) => {
    started = resolve;
  });
  sessions.create = async (...args: Parameters<typeof original>) => {
    sessions.create = original;
    started(args[0].sessionId);
    await gate;
    return original.apply(sessions, args);
  };
  return { waiting, release };
}

/** The session's row once it is ended, or null if it is still open after vitest's poll timeout. */
async function waitForEnd(sessionId: string) {
  await expect
    .poll(async () => (await server.gl.store.sessions.get(sessionId))?.endedAt ?? null, { timeout: 3000 })
    .not.toBeNull();
  return server.gl.store.sessions.get(sessionId);
}

const sockets = () => (server.gl.ctx.sockets as Set<unknown>).size;

describe('a socket that closes while its session is opening', () => {
  it('/v1/agent: the session is ended and leaves the registry, it does not stay live without its agent', async () => {
    const { waiting, release } = holdNextCreate(server.gl.store);
    const before = sockets();
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/agent`, {
      headers: { authorization: `Bearer ${await server.agentToken()}` },
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', session: helloSession() }));
    const sessionId = await waiting;
    ws.terminate();
    await expect.poll(sockets).toBe(before);
    release();
    const row = await waitForEnd(sessionId);
    expect(row?.endReason).toBe('call_ended');
    expect(server.gl.registry.get(sessionId)).toBeUndefined();
  });

  it('/v1/telephony/twilio: the call is ended and leaves the registry', async () => {
    const { waiting, release } = holdNextCreate(server.gl.store);
    const before = sockets();
    const call = new TwilioMediaStreamClient(
      `${server.url.replace('http', 'ws')}/v1/telephony/twilio?token=${encodeURIComponent(await server.agentToken())}`,
      {
        customParameters: TWILIO_CALL_PARAMETERS,
      },
    );
    await call.open();
    const sessionId = await waiting;
    await call.close();
    await expect.poll(sockets).toBe(before);
    release();
    const row = await waitForEnd(sessionId);
    expect(row?.endReason).toBe('call_ended');
    expect(server.gl.registry.get(sessionId)).toBeUndefined();
  });
});

describe('a session still opening when the server shuts down', () => {
  it('is refused with GL_SERVER_SHUTTING_DOWN, never left live after every other session was held', async () => {
    const own = await startServer({ transcribers: null });
    try {
      const { waiting, release } = holdNextCreate(own.gl.store);
      const ws = new WebSocket(`${own.url.replace('http', 'ws')}/v1/agent`, {
        headers: { authorization: `Bearer ${await own.agentToken()}` },
      });
      const received: string[] = [];
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as { type: string; code?: string };
        received.push(m.type === 'error' ? `${m.code}` : m.type);
      });
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ type: 'hello', session: helloSession() }));
      const sessionId = await waiting;
      await own.gl.registry.holdAll('shutting down');
      release();
      await expect.poll(() => received).toContain('GL_SERVER_SHUTTING_DOWN');
      expect(received).not.toContain('ready');
      expect(own.gl.registry.get(sessionId)).toBeUndefined();
      ws.close();
    } finally {
      await own.close();
    }
  });
});
