import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { GuardlineAgent } from '../src/client/index.ts';
import { type FakeDeepgram, type ScriptEntry, startFakeDeepgram } from './fakes/deepgram/index.ts';
import { type FakeTwilioRest, mulawTone, startFakeTwilioRest, TwilioMediaStreamClient } from './fakes/twilio/index.ts';
import { disclosureText, policyFile, startServer, type TestServer, TWILIO_CALL_PARAMETERS } from './server-harness.ts';

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-test-auth-token';

let deepgram: FakeDeepgram;
/** Scripts for later connections, by connection index (set by a test before it opens its call). */
const laterScripts = new Map<number, ScriptEntry[]>();
let rest: FakeTwilioRest;
let server: TestServer;

beforeAll(async () => {
  deepgram = await startFakeDeepgram({
    // Connection 0 is the negotiation call; connection 1 the silent one (unless a test set its own).
    script: (i) =>
      laterScripts.get(i) ??
      (i === 0
        ? [
            { afterAudioMs: 200, text: 'I need twenty percent off.' },
            { afterAudioMs: 1800, text: 'Please stop calling me.' },
          ]
        : []),
  });
  rest = await startFakeTwilioRest({ accountSid: ACCOUNT, authToken: AUTH_TOKEN });
  server = await startServer({
    policy: (dir) => policyFile(dir, { silence_seconds: 3 }),
    env: {
      DEEPGRAM_API_KEY: deepgram.apiKey,
      DEEPGRAM_BASE_URL: deepgram.url,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_BASE_URL: rest.baseUrl,
    },
  });
});

afterAll(async () => {
  await server?.close();
  await deepgram?.close();
  await rest?.close();
});

function stream(token: string, parameters: Record<string, string> = {}) {
  return new TwilioMediaStreamClient(
    `${server.url.replace('http', 'ws')}/v1/telephony/twilio?token=${encodeURIComponent(token)}`,
    {
      customParameters: { ...TWILIO_CALL_PARAMETERS, ...parameters },
    },
  );
}

describe('a Twilio Media Streams call through Guardline into (fake) Deepgram', () => {
  it('holds an over-bound concession, ends the call on an opt-out (with clear), and enforces the end through Twilio', async () => {
    const token = await server.agentToken();
    const call = stream(token);
    // The agent registers for the call over /v1/agent (session id = call SID), then the stream starts.
    const agent = await GuardlineAgent.connect({
      url: server.url,
      token,
      session: {
        callId: call.callSid,
        channel: 'voice',
        direction: 'inbound',
        role: 'closing',
        jurisdiction: 'NY',
        timezone: 'America/New_York',
        contactId: '101',
      },
    });
    expect(agent.sessionId).toBe(call.callSid);
    await call.open();
    const audio = call.sendAudio(mulawTone(4000)).catch(() => {});
    expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const held = await agent.propose('concession', { type: 'percent_off', value: 20 });
    expect(held.outcome, JSON.stringify(held.rationale)).toBe('needs_approval');
    const end = await agent.directive('end_call');
    expect(end.rule).toBe('consent.opt_out');
    await expect.poll(() => call.receivedOf('clear').length, { timeout: 3000 }).toBeGreaterThan(0);
    // The agent ignores end_call: past the grace period Guardline closes the stream and completes the call.
    const closed = await call.closed();
    expect(closed.code).toBe(1000);
    await expect.poll(() => rest.completions.map((c) => c.callSid), { timeout: 5000 }).toContain(call.callSid);
    await audio;
    await expect
      .poll(async () => (await server.gl.store.sessions.get(call.callSid))?.endReason, { timeout: 5000 })
      .toBe('enforced:consent.opt_out');
    const done = (await server.gl.store.directives.listBySession(call.callSid)).find(
      (d) => d.rule === 'enforce.end_call.done',
    );
    expect(done?.message).toContain('completed call');
    const inputs = await server.gl.store.inputs.list(call.callSid);
    expect(inputs.filter((i) => i.type === 'transcript').length).toBeGreaterThanOrEqual(2);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/guardline_transcription_lag_seconds_count [1-9]/);
  });

  it('ends a silent call on the silence timeout (stream-only session, token in the URL)', async () => {
    const call = stream(await server.agentToken());
    await call.open();
    const audio = call.sendAudio(mulawTone(4500, 0, 0)).catch(() => {});
    await expect
      .poll(async () => (await server.gl.store.directives.listBySession(call.callSid)).map((d) => d.rule), {
        timeout: 6000,
      })
      .toContain('timeout.silence');
    // The directive is delivered (with its clear) only once it is durable, so a moment after the row is.
    await expect.poll(() => call.receivedOf('clear').length, { timeout: 3000 }).toBeGreaterThan(0);
    await audio;
    call.sendStop();
    await call.close();
  });

  it('forwards every audio frame, even those Twilio sends right behind `start` while the session opens', async () => {
    const before = deepgram.connections.length;
    const call = stream(await server.agentToken());
    await call.open();
    // No pacing: all 100 frames are on the wire before Guardline has opened the session.
    for (let i = 0; i < 100; i++) call.sendFrame(Buffer.alloc(160, 0x7f));
    await expect.poll(() => deepgram.connections[before]?.audioBytes, { timeout: 5000 }).toBe(100 * 160);
    call.sendStop();
    await call.close();
  });

  it('an opt-out said just before the caller hangs up still reaches the session before the call ends', async () => {
    laterScripts.set(deepgram.connections.length, [
      { afterAudioMs: 300, durationMs: 300, text: 'Take me off your list.' },
    ]);
    const call = stream(await server.agentToken());
    await call.open();
    // The words are still being spoken when the audio ends; Twilio's `stop` follows at once, so
    // their final transcript only comes when Guardline closes the transcription (CloseStream).
    await call.sendAudio(mulawTone(700));
    call.sendStop();
    await expect
      .poll(async () => (await server.gl.store.sessions.get(call.callSid))?.endedAt ?? null, { timeout: 5000 })
      .not.toBeNull();
    const inputs = await server.gl.store.inputs.list(call.callSid);
    const payload = (i: (typeof inputs)[number]) => i.payload as { text?: string; event?: string };
    const texts = inputs.flatMap((i) => (i.type === 'transcript' ? [payload(i).text] : []));
    expect(texts).toEqual(['Take me off your list.']);
    // The opt-out came before the end of the call: it is what ended the sales path.
    const kinds = inputs.map((i) => (i.type === 'event' ? payload(i).event : i.type));
    expect(kinds.indexOf('transcript')).toBeLessThan(kinds.indexOf('call_ended'));
    const rules = (await server.gl.store.directives.listBySession(call.callSid)).map((d) => d.rule);
    expect(rules).toContain('consent.opt_out');
    await call.close();
  });

  it('ignores a `start` that comes after `stop`: no session is opened for a stream that has ended', async () => {
    const token = await server.agentToken();
    const callSid = `CA${'5'.repeat(32)}`;
    const ws = new WebSocket(
      `${server.url.replace('http', 'ws')}/v1/telephony/twilio?token=${encodeURIComponent(token)}`,
    );
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const streamSid = `MZ${'5'.repeat(32)}`;
    const accountSid = `AC${'5'.repeat(32)}`;
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(JSON.stringify({ event: 'stop', sequenceNumber: '1', streamSid, stop: { accountSid, callSid } }));
    ws.send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '2',
        streamSid,
        start: {
          accountSid,
          streamSid,
          callSid,
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          customParameters: TWILIO_CALL_PARAMETERS,
        },
      }),
    );
    // A `start` the server takes opens the session within milliseconds; give it ample time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.gl.registry?.get(callSid)).toBeUndefined();
    expect(await server.gl.store.sessions.get(callSid)).toBeNull();
    ws.close();
  });

  it('refuses a stream whose token names another agent (close 4401 path: GL_AUTH_SCOPE) and one with a bad token', async () => {
    const other = stream(await server.agentToken('agent-2'));
    await other.open();
    expect((await other.closed()).code).toBe(4401);
    const forged = stream('not-a-token');
    await expect(forged.open()).rejects.toThrow(/401/);
  });
});
