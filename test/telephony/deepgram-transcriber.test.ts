import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  DeepgramTranscriber,
  type DeepgramTranscriberConfigInput,
  seededRandom,
  type TranscriberEvents,
} from '../../telephony/deepgram/index.ts';
import { type FakeDeepgram, type FakeDeepgramOptions, startFakeDeepgram } from '../fakes/deepgram/index.ts';
import { mulawSilence, mulawTone } from '../fakes/twilio/mulaw.ts';

let fake: FakeDeepgram | null = null;
const transcribers: DeepgramTranscriber[] = [];

afterEach(async () => {
  for (const t of transcribers.splice(0)) await t.close();
  await fake?.close();
  fake = null;
});

async function setup(fakeOptions: FakeDeepgramOptions, config: Partial<DeepgramTranscriberConfigInput> = {}) {
  fake = await startFakeDeepgram(fakeOptions);
  const transcriber = new DeepgramTranscriber(
    { apiKey: fake.apiKey, baseUrl: fake.url, keepAliveIntervalMs: 0, reconnect: { initialDelayMs: 20 }, ...config },
    { random: seededRandom(7) },
  );
  transcribers.push(transcriber);
  const events: { name: keyof TranscriberEvents; payload: unknown }[] = [];
  for (const name of [
    'transcript',
    'speech_started',
    'utterance_end',
    'disconnected',
    'lost',
    'restored',
    'reconnected',
    'metadata',
    'error',
  ] as const) {
    transcriber.on(name, (payload) => events.push({ name, payload }));
  }
  const transcripts = () =>
    events.filter((e) => e.name === 'transcript').map((e) => e.payload as TranscriberEvents['transcript']);
  return { fake, transcriber, events, transcripts, names: () => events.map((e) => e.name) };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('DeepgramTranscriber with the real SDK against the fake Deepgram', () => {
  it('sends the configured listen options and relays scripted interim, final and utterance-end results', async () => {
    const { fake, transcriber, transcripts, names } = await setup({
      script: [{ afterAudioMs: 200, text: 'I want a discount.', confidence: 0.91 }],
    });
    await transcriber.start();
    expect(fake.connections[0]?.params.raw).toMatchObject({
      encoding: 'mulaw',
      sample_rate: '8000',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
    });
    for (let i = 0; i < 15; i++) transcriber.sendAudio(mulawTone(200));
    await until(() => names().includes('utterance_end'));
    const [interim, final] = transcripts();
    expect(interim).toMatchObject({ isFinal: false, speechFinal: false });
    expect(final).toMatchObject({ text: 'I want a discount.', isFinal: true, speechFinal: true, confidence: 0.91 });
    expect(final?.words.map((w) => w.word)).toEqual(['i', 'want', 'a', 'discount']);
    expect(final?.words[0]?.start).toBeCloseTo(0.2, 3);
    expect(names().indexOf('speech_started')).toBeLessThan(names().indexOf('transcript'));
  });

  it('finalize() flushes speech in progress as a from_finalize result', async () => {
    const { transcriber, transcripts } = await setup({
      script: [{ afterAudioMs: 0, text: 'one two three four five six', interim: false }],
    });
    await transcriber.start();
    transcriber.sendAudio(mulawTone(800));
    transcriber.finalize();
    await until(() => transcripts().length > 0);
    expect(transcripts()[0]).toMatchObject({
      isFinal: true,
      speechFinal: false,
      fromFinalize: true,
      text: 'one two three',
    });
  });

  it("gathers Twilio's 20 ms frames into messages of sendChunkMs, sending what is left within that time", async () => {
    const { fake, transcriber } = await setup({ script: [] }, { sendChunkMs: 100 });
    await transcriber.start();
    const sentAt = Date.now();
    for (let i = 0; i < 12; i++) transcriber.sendAudio(mulawTone(20)); // 160 bytes each
    await until(() => fake.connections[0]?.audioBytes === 1920);
    // Two full 100 ms messages at once, then the last 40 ms when its time was up, not before.
    expect(fake.connections[0]?.received).toEqual(['audio:800', 'audio:800', 'audio:320']);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(90);
    expect(transcriber.stats.audioBytesSent).toBe(1920);
  });

  it('sends the audio gathered so far ahead of Finalize and CloseStream', async () => {
    const { fake, transcriber } = await setup({ script: [] }, { sendChunkMs: 250 });
    await transcriber.start();
    transcriber.sendAudio(mulawTone(40));
    transcriber.finalize();
    transcriber.sendAudio(mulawTone(20));
    await transcriber.close();
    expect(fake.connections[0]?.received).toEqual(['audio:320', 'Finalize', 'audio:160', 'CloseStream']);
  });

  it('with sendChunkMs 0, sends every chunk as it arrives', async () => {
    const { fake, transcriber } = await setup({ script: [] }, { sendChunkMs: 0 });
    await transcriber.start();
    for (let i = 0; i < 3; i++) transcriber.sendAudio(mulawTone(20));
    await until(() => fake.connections[0]?.audioBytes === 480);
    expect(fake.connections[0]?.received).toEqual(['audio:160', 'audio:160', 'audio:160']);
  });

  it('KeepAlive keeps the connection open past the idle timeout', async () => {
    const { fake, transcriber, names } = await setup({ idleTimeoutMs: 500 }, { keepAliveIntervalMs: 100 });
    await transcriber.start();
    transcriber.sendAudio(mulawSilence(100));
    await sleep(1200);
    expect(fake.connections).toHaveLength(1);
    expect(fake.connections[0]?.closed).toBeNull();
    expect(fake.connections[0]?.controlMessages.filter((t) => t === 'KeepAlive').length).toBeGreaterThanOrEqual(5);
    expect(names()).not.toContain('disconnected');
  });

  it('without KeepAlive, silence gets NET-0001; it reconnects and timestamps stay monotonic', async () => {
    const { fake, transcriber, transcripts, events } = await setup({
      idleTimeoutMs: 200,
      script: [{ afterAudioMs: 100, text: 'hello there', interim: false }],
    });
    await transcriber.start();
    transcriber.sendAudio(mulawTone(1000));
    await until(() => events.some((e) => e.name === 'reconnected'));
    const drop = events.find((e) => e.name === 'disconnected')?.payload as TranscriberEvents['disconnected'];
    expect(drop.code).toBe(1011);
    expect(drop.reason).toContain('net0001');
    transcriber.sendAudio(mulawTone(1000));
    await until(() => transcripts().filter((t) => t.isFinal).length === 2);
    const [first, second] = transcripts().filter((t) => t.isFinal);
    expect(first?.words[0]?.start).toBeCloseTo(0.1, 3);
    // The second connection's audio starts 1 s into the call.
    expect(second?.words[0]?.start).toBeCloseTo(1.1, 3);
    expect(second?.start).toBeGreaterThanOrEqual(first?.end ?? Number.POSITIVE_INFINITY);
    expect(fake.connections.length).toBeGreaterThanOrEqual(2);
  });

  it('a wrong API key is a typed GL_TRANSCRIPTION_AUTH error', async () => {
    fake = await startFakeDeepgram();
    const transcriber = new DeepgramTranscriber({ apiKey: 'not-the-key', baseUrl: fake.url });
    const errors: TranscriberEvents['error'][] = [];
    transcriber.on('error', (e) => errors.push(e));
    await expect(transcriber.start()).rejects.toMatchObject({ code: 'GL_TRANSCRIPTION_AUTH' });
    expect(fake.rejected).toEqual([{ status: 401, reason: 'Invalid credentials.' }]);
    expect(errors[0]?.error.code).toBe('GL_TRANSCRIPTION_AUTH');
    expect(transcriber.stats.state).toBe('failed');
    expect(transcriber.sendAudio(mulawSilence(20))).toBe(false);
  });

  it('emits lost after the grace period and restored when back; audio held meanwhile is replayed', async () => {
    const { fake, transcriber, events, names } = await setup({}, { lostGraceMs: 60 });
    await transcriber.start();
    transcriber.sendAudio(mulawSilence(200));
    await until(() => (fake.connections[0]?.audioBytes ?? 0) === 1600);
    fake.refuseNext(4);
    fake.dropAll();
    await until(() => names().includes('disconnected'));
    transcriber.sendAudio(mulawSilence(300));
    await until(() => names().includes('restored'));
    const lost = events.find((e) => e.name === 'lost')?.payload as TranscriberEvents['lost'];
    const restored = events.find((e) => e.name === 'restored')?.payload as TranscriberEvents['restored'];
    const drop = events.find((e) => e.name === 'disconnected')?.payload as TranscriberEvents['disconnected'];
    expect(lost.since).toBe(drop.at);
    expect(names().indexOf('lost')).toBeLessThan(names().indexOf('restored'));
    expect(restored.downtimeMs).toBe(restored.at - drop.at);
    expect(restored.downtimeMs).toBeGreaterThanOrEqual(lost.at - lost.since);
    expect(names().filter((n) => n === 'error')).toHaveLength(4);
    expect(fake.rejected.map((r) => r.status)).toEqual([503, 503, 503, 503]);
    await until(() => fake.connections[1]?.audioBytes === 2400);
  });

  it('audio gathered but not yet sent when the connection drops is replayed after the reconnect', async () => {
    const { fake, transcriber, names, transcripts } = await setup(
      { script: [{ afterAudioMs: 0, text: 'hello there', interim: false }] },
      { sendChunkMs: 250, lostGraceMs: 5000 },
    );
    await transcriber.start();
    transcriber.sendAudio(mulawTone(40));
    fake.dropAll();
    await until(() => names().includes('reconnected'));
    await until(() => fake.connections[1]?.audioBytes === 320);
    transcriber.sendAudio(mulawTone(20));
    transcriber.finalize();
    await until(() => transcripts().length > 0);
    await transcriber.close();
    // Replayed first, on its own, so the new connection's time 0 is that audio's start: the call's 0.
    expect(fake.connections[1]?.received).toEqual(['audio:320', 'audio:160', 'Finalize', 'CloseStream']);
    expect(transcripts()[0]?.start).toBeCloseTo(0, 3);
    expect(fake.connections[0]?.audioBytes).toBe(0);
    expect(transcriber.stats).toMatchObject({ audioBytesSent: 480, droppedAudioBytes: 0 });
  });

  it('a drop shorter than the grace period reconnects without lost', async () => {
    const { fake, transcriber, names } = await setup({}, { lostGraceMs: 2000 });
    await transcriber.start();
    fake.dropAll();
    await until(() => names().includes('reconnected'));
    expect(names()).not.toContain('lost');
  });

  it('bounds the audio held while disconnected, dropping the oldest and counting it', async () => {
    const { fake, transcriber, names } = await setup({}, { maxBufferedAudioMs: 100, lostGraceMs: 5000 });
    await transcriber.start();
    fake.refuseNext(2);
    fake.dropAll();
    await until(() => names().includes('disconnected'));
    for (let i = 0; i < 10; i++) transcriber.sendAudio(mulawSilence(20));
    expect(transcriber.stats).toMatchObject({ bufferedAudioBytes: 800, droppedAudioBytes: 800 });
    await until(() => names().includes('reconnected'));
    await until(() => fake.connections[1]?.audioBytes === 800);
  });

  it('close() sends CloseStream and receives the final Metadata', async () => {
    const { fake, transcriber, names } = await setup({});
    await transcriber.start();
    transcriber.sendAudio(mulawSilence(500));
    await transcriber.close();
    expect(fake.connections[0]?.controlMessages).toEqual(['CloseStream']);
    expect(fake.connections[0]?.closed?.code).toBe(1000);
    expect(names()).toContain('metadata');
    expect(names()).not.toContain('disconnected');
  });

  it('close() before Deepgram has answered still sends the audio held meanwhile and relays its transcript', async () => {
    // A call that ends within its first moments: "stop calling me", then the caller hangs up.
    const { fake, transcriber, transcripts } = await setup({
      acceptDelayMs: 300,
      script: [{ afterAudioMs: 100, text: 'Stop calling me.' }],
    });
    const started = transcriber.start();
    for (let i = 0; i < 10; i++) transcriber.sendAudio(mulawTone(100));
    await transcriber.close();
    await started;
    expect(fake.connections[0]?.audioBytes).toBe(8000);
    expect(fake.connections[0]?.controlMessages).toEqual(['CloseStream']);
    expect(
      transcripts()
        .filter((t) => t.isFinal)
        .map((t) => t.text),
    ).toEqual(['Stop calling me.']);
    expect(transcriber.stats).toMatchObject({ state: 'closed', droppedAudioBytes: 0 });
  });
});

describe('backoff', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };
  it('grows exponentially within jitter bounds and is capped', () => {
    const random = seededRandom(1);
    const delays = [0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(policy, attempt, random));
    [100, 200, 400, 800, 1000, 1000].forEach((base, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(base / 2);
      expect(delays[i]).toBeLessThanOrEqual(base);
    });
  });
  it('is deterministic for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect([0, 1, 2].map((n) => backoffDelay(policy, n, a))).toEqual([0, 1, 2].map((n) => backoffDelay(policy, n, b)));
  });
});
