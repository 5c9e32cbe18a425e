import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GuardlineAgent } from '../src/client/index.ts';
import type { ErrorMessage, ServerMessage } from '../src/client/protocol.ts';
import { disclosureText, helloSession, startServer, type TestServer } from './server-harness.ts';

const MAX = 2048;
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { GUARDLINE_MAX_FRAME_BYTES: String(MAX) }, helloTimeoutMs: 500 });
});
afterAll(async () => server?.close());

/** A raw socket, authenticated, with every message it receives. */
async function rawSocket(): Promise<{
  ws: WebSocket;
  messages: ServerMessage[];
  next(): Promise<ServerMessage>;
  closed: Promise<number>;
}> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/agent`, {
    headers: { authorization: `Bearer ${await server.agentToken()}` },
  });
  const messages: ServerMessage[] = [];
  const waiters: ((m: ServerMessage) => void)[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as ServerMessage;
    const w = waiters.shift();
    if (w) w(m);
    else messages.push(m);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve) => ws.once('open', resolve));
  return {
    ws,
    messages,
    closed,
    next: () => {
      const m = messages.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

const code = (m: ServerMessage) => (m.type === 'error' ? (m as ErrorMessage).code : m.type);

describe('bad input on /v1/agent: a GL_* error, nothing else changes', () => {
  it('answers malformed JSON, unknown types, schema errors, binary and proposals before hello', async () => {
    const s = await rawSocket();
    s.ws.send('{not json');
    expect(code(await s.next())).toBe('GL_PROTOCOL_INVALID_JSON');
    s.ws.send('[1,2]');
    expect(code(await s.next())).toBe('GL_PROTOCOL_INVALID_JSON');
    s.ws.send(JSON.stringify({ type: 'dance' }));
    expect(code(await s.next())).toBe('GL_PROTOCOL_UNKNOWN_TYPE');
    s.ws.send(JSON.stringify({ type: 'transcript', speaker: 'robot' }));
    expect(code(await s.next())).toBe('GL_PROTOCOL_INVALID_MESSAGE');
    s.ws.send(Buffer.alloc(160, 0xff), { binary: true });
    expect(code(await s.next())).toBe('GL_PROTOCOL_NOT_STARTED');
    s.ws.send(JSON.stringify({ type: 'propose', id: 'p1', kind: 'say', params: { text: 'hi' } }));
    const early = (await s.next()) as ErrorMessage;
    expect([early.code, early.ref]).toEqual(['GL_PROTOCOL_NOT_STARTED', 'propose']);
    s.ws.send(JSON.stringify({ type: 'hello', session: { ...helloSession(), jurisdiction: 'N' } }));
    expect(code(await s.next())).toBe('GL_PROTOCOL_INVALID_MESSAGE');
    s.ws.send(JSON.stringify({ type: 'hello', session: { ...helloSession(), jurisdiction: 'N-Y-' } }));
    expect(code(await s.next())).toBe('GL_PROTOCOL_INVALID_MESSAGE');
    // After all that, a good hello still works on the same connection.
    s.ws.send(JSON.stringify({ type: 'hello', session: helloSession() }));
    expect(code(await s.next())).toBe('ready');
    s.ws.close();
  });

  it('ignores an oversized frame with GL_PROTOCOL_FRAME_TOO_LARGE, and closes 1009 beyond the hard limit', async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    a.sendRaw(JSON.stringify({ type: 'transcript', speaker: 'customer', text: 'x'.repeat(MAX + 10), isFinal: true }));
    const e = (await a.waitFor((m) => m.type === 'error')) as ErrorMessage;
    expect(e.code).toBe('GL_PROTOCOL_FRAME_TOO_LARGE');
    expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    const closed = new Promise<number>((resolve) => a.on('close', (c) => resolve(c)));
    a.sendRaw(Buffer.alloc(MAX * 4 + 1), true);
    expect(await closed).toBe(1009);
  });

  it('refuses a second hello, binary audio without an audio format, and proposals after the end', async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    a.send({ type: 'hello', session: helloSession() });
    expect(((await a.waitFor((m) => m.type === 'error')) as ErrorMessage).code).toBe('GL_PROTOCOL_ALREADY_STARTED');
    a.sendAudio(Buffer.alloc(160));
    expect(((await a.waitFor((m) => m.type === 'error' && m.ref === 'audio')) as ErrorMessage).code).toBe(
      'GL_PROTOCOL_AUDIO_UNEXPECTED',
    );
    a.event('call_ended');
    await expect(a.propose('say', { text: 'one more thing' }, { id: 'late' })).rejects.toMatchObject({
      code: 'GL_SESSION_ENDED',
      ref: 'late',
    });
    expect((await a.ping()) >= 0).toBe(true);
    await a.close();
  });

  it('refuses a hello for a session id that is live or was recorded before', async () => {
    const session = helloSession();
    const a = await GuardlineAgent.connect({ url: server.url, token: await server.agentToken(), session });
    const other = await server.agentToken('agent-9');
    await expect(GuardlineAgent.connect({ url: server.url, token: other, session })).rejects.toMatchObject({
      code: 'GL_SESSION_CONFLICT',
    });
    a.event('call_ended');
    await a.close();
    await expect.poll(() => server.gl.registry.get(a.sessionId)).toBeUndefined();
    await expect(
      GuardlineAgent.connect({ url: server.url, token: await server.agentToken(), session }),
    ).rejects.toMatchObject({ code: 'GL_SESSION_CONFLICT' });
  });

  it('closes a connection that never says hello with 4408', async () => {
    const s = await rawSocket();
    expect(await s.closed).toBe(4408);
  });

  it('keeps other sessions deciding while one connection misbehaves', async () => {
    const good = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    const bad = await rawSocket();
    for (let i = 0; i < 50; i++) bad.ws.send(i % 2 ? '\u0000garbage' : JSON.stringify({ type: 'propose', id: i }));
    expect((await good.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    bad.ws.close();
    await good.close();
  });
});
