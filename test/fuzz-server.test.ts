import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GuardlineAgent } from '../src/client/index.ts';
import { disclosureText, helloSession, policyFile, startServer, type TestServer } from './server-harness.ts';

const MAX = 4096;
let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { GUARDLINE_MAX_FRAME_BYTES: String(MAX) },
    policy: (dir) => policyFile(dir, { silence_seconds: 600, max_call_seconds: 1800, wrap_up_warning_seconds: 60 }),
  });
});
afterAll(async () => server?.close());

/** Valid frames to mutate: what a real agent sends. */
const SEEDS = [
  { type: 'hello', session: helloSession() },
  { type: 'transcript', speaker: 'customer', text: 'Can you do 20% off?', isFinal: true, confidence: 0.9 },
  { type: 'propose', id: 'p1', kind: 'concession', params: { type: 'percent_off', value: 12 } },
  { type: 'propose', id: 'p2', kind: 'say', params: { text: 'Sure thing.' } },
  { type: 'propose', id: 'p3', kind: 'crm_write', params: { object: 'deal', id: '9', properties: { amount: 5 } } },
  { type: 'event', event: 'voicemail' },
  { type: 'ping', id: 'x' },
].map((m) => JSON.stringify(m));

const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.string({ maxLength: 8 }), fc.nat({ max: 5 }))
  .map(([seed, at, insert, op]) => {
    const i = at % (seed.length + 1);
    switch (op) {
      case 0:
        return seed.slice(0, i); // truncated
      case 1:
        return seed.slice(0, i) + insert + seed.slice(i); // inserted garbage
      case 2:
        return seed.slice(0, i) + seed.slice(i + insert.length + 1); // deleted span
      case 3:
        return seed.replace(/"(type|kind|event|speaker)":"[a-z_]+"/, `"$1":${JSON.stringify(insert)}`); // wrong enum
      case 4:
        return seed.replace(/:(\d+|true|"[^"]*")/, `:${JSON.stringify(insert.length ? { x: insert } : null)}`); // wrong type
      default:
        return seed;
    }
  });

const frame = fc.oneof(
  { weight: 5, arbitrary: mutated.map((text) => ({ text })) },
  { weight: 2, arbitrary: fc.json().map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ binary: Buffer.from(bytes) })) },
  { weight: 1, arbitrary: fc.integer({ min: MAX + 1, max: MAX * 2 }).map((n) => ({ text: 'x'.repeat(n) })) },
);

async function connection(): Promise<{ ws: WebSocket; received: () => number; closed: Promise<number> }> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/agent`, {
    headers: { authorization: `Bearer ${await server.agentToken()}` },
  });
  let count = 0;
  ws.on('message', () => {
    count += 1;
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received: () => count, closed };
}

describe('fuzz: 10,000 random and mutated frames', () => {
  it('never crashes the server, answers every connection, and leaks no session', { timeout: 60_000 }, async () => {
    const frames = fc.sample(frame, { numRuns: 10_000, seed: 20_261_118 });
    const connections = await Promise.all(Array.from({ length: 20 }, () => connection()));
    const before = server.gl.registry.size;
    for (const [i, f] of frames.entries()) {
      const c = connections[i % connections.length] as Awaited<ReturnType<typeof connection>>;
      if (c.ws.readyState !== WebSocket.OPEN) continue;
      if ('binary' in f) c.ws.send(f.binary, { binary: true });
      else c.ws.send(f.text);
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Every connection still answers a ping (or was closed with a documented code).
    const answers = await Promise.all(
      connections.map(async (c) => {
        if (c.ws.readyState !== WebSocket.OPEN) return `closed:${await c.closed}`;
        const pong = new Promise<string>((resolve) =>
          c.ws.on('message', (data) => {
            if (JSON.parse(data.toString()).type === 'pong') resolve('pong');
          }),
        );
        c.ws.send(JSON.stringify({ type: 'ping' }));
        return Promise.race([pong, c.closed.then((code) => `closed:${code}`)]);
      }),
    );
    for (const a of answers) expect(a === 'pong' || a === 'closed:4410' || a === 'closed:1009').toBe(true);
    expect(connections.reduce((n, c) => n + c.received(), 0)).toBeGreaterThan(5_000);
    // Another agent is served normally throughout.
    const good = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    expect((await good.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    await good.close();
    // Closing every fuzzed connection ends each session it opened: nothing leaks.
    for (const c of connections) c.ws.close();
    await Promise.all(connections.map((c) => c.closed));
    await expect.poll(() => server.gl.registry.size, { timeout: 10_000 }).toBe(before);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
