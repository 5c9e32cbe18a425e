/**
 * A session that throws while deciding answers `deny` (law 2), and that deny is on disk and in the
 * audit chain like any decision (laws 1 and 7), though not in the replay record.
 */
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/verify.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { exportRecording } from '../src/replay/export.ts';
import { breakApply, disclosureText, helloSession, startServer, type TestServer } from './server-harness.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ transcribers: null });
});
afterAll(async () => server?.close());

describe('a fail-closed deny from a session that threw', () => {
  it('is recorded and audited before the agent hears it, and left out of the replay record', async () => {
    const a = await GuardlineAgent.connect({
      url: server.url,
      token: await server.agentToken(),
      session: helloSession(),
    });
    expect((await a.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    breakApply(server, a.sessionId, (input) => input.type === 'propose');
    const denied = await a.propose('concession', { type: 'percent_off', value: 5 });
    expect(denied).toMatchObject({ outcome: 'deny', code: 'GL_GATE_INTERNAL' });

    const { store } = server.gl;
    const recorded = await store.decisions.listBySession(a.sessionId);
    expect(recorded.map((d) => d.id)).toContain(denied.id);
    expect(recorded.find((d) => d.id === denied.id)).toEqual(denied);
    const audited = await store.audit.listBySession(a.sessionId);
    expect(audited.map((e) => e.id)).toContain(`decision:${denied.id}`);
    expect((await verifyChain(store.audit, { publicKey: createPublicKey(store.auditPublicKeyPem) })).ok).toBe(true);

    const recording = await exportRecording(store, a.sessionId);
    expect(recording.decisions.map((d) => d.id)).not.toContain(denied.id);
    expect(recording.decisions.length).toBe(1);
    await a.close();
  });
});
