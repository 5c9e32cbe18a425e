/**
 * The server under load, on loopback. Guardline runs in a child process (its CPU is measured from
 * /proc); clients and the fake Deepgram run here.
 * 1. 1,000 concurrent agent sessions over /v1/agent, each proposing every 2 s and sending a
 *    customer transcript every 1.5 s: round trip proposal → decision (p50, p99).
 * 2. 200 concurrent Twilio Media Streams at real pacing (50 frames/s) into the fake Deepgram: CPU
 *    per stream of Guardline, against a plain relay (child process) that only forwards the frames
 *    to the same fake Deepgram (it parses each JSON frame, decodes its base64 and sends the bytes
 *    to a Deepgram websocket, as every relay must), measured in the same run, taking turns.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { startFakeDeepgram } from '../test/fakes/deepgram/index.ts';
import { mulawTone, TwilioMediaStreamClient } from '../test/fakes/twilio/index.ts';
import { atMost, type Bench, type BenchResult, bytesWritten, percentile, versus } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECRET = 'bench-secret-bench-secret-bench-secret-00';
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 20_000);
const STREAM_MS = Number(process.env.BENCH_STREAM_MS ?? 12_000);
const PROPOSE_EVERY_MS = 2000;
/** A final customer transcript every 1.5 s per call: speech pace, for one side of the conversation. */
const TRANSCRIPT_EVERY_MS = 1500;
/** Audio sent to one side (relay or Guardline) before the other side's turn. */
const SLICE_MS = 2000;
/** BENCH_PART=agents or streams runs only that half (e.g. while profiling one of them). */
const PART = process.env.BENCH_PART ?? '';
const DISCLOSURE =
  /disclosure_text: "([^"]+)"/.exec(readFileSync(path.join(ROOT, 'policies/default.yaml'), 'utf8'))?.[1] ?? '';

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function child(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (!match) return;
      // Keep draining the child's output (its log lines) without holding or scanning it, so a full
      // pipe never blocks the server and the bench process spends nothing on it.
      proc.stdout?.off('data', onData);
      proc.stdout?.resume();
      out = '';
      resolve({ proc, match });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', (c: Buffer) => {
      if (process.env.BENCH_DEBUG) process.stderr.write(c);
    });
    proc.once('exit', (code) => reject(new Error(`child exited ${code}: ${out.slice(-2000)}`)));
  });
}

async function startGuardline(dir: string, env: Record<string, string> = {}) {
  const { proc, match } = await child(
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
    [
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      'src/server/main.ts',
    ],
    { PORT: '0', HOST: '127.0.0.1', GUARDLINE_DATA_DIR: dir, GUARDLINE_JWT_SECRET: SECRET, LOG_LEVEL: 'info', ...env },
    /"url":"(http:\/\/[^"]+)"/,
  );
  return { proc, url: match[1] as string };
}

const RELAY = `
import { WebSocketServer, WebSocket } from 'ws';
const dg = process.env.DG_URL, key = process.env.DG_KEY;
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
wss.on('listening', () => console.log('relay-port=' + wss.address().port));
process.on('SIGTERM', () => process.exit(0));
wss.on('connection', (ws) => {
  let up = null;
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.event === 'start') up = new WebSocket(dg + '/v1/listen?encoding=mulaw&sample_rate=8000&channels=1&interim_results=true', { headers: { authorization: 'Token ' + key } }), up.on('error', () => {});
    else if (m.event === 'media' && up && up.readyState === 1) up.send(Buffer.from(m.media.payload, 'base64'));
    else if (m.event === 'stop' && up) up.close();
  });
});`;

/**
 * The server's own view of its decisions, from its `/metrics`: how many it answered (durable and
 * sent) within 5 ms of the proposal arriving, and in all. The round trip the clients measure adds
 * the sockets and the clients' own event loop, which share the two cores.
 */
async function serverAnswers(url: string): Promise<{ within5ms: number; total: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    within5ms: value(/^guardline_decision_latency_seconds_bucket\{le="0\.005"\} (\d+)$/m),
    total: value(/^guardline_decision_latency_seconds_count (\d+)$/m),
  };
}

async function agentSessions(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'guardline-bench-'));
  const gl = await startGuardline(dir);
  try {
    // Ten calls per agent identity: a realistic fleet, and inside the default policy's daily call cap.
    const tokens = await Promise.all(
      Array.from({ length: Math.ceil(SESSIONS / 10) }, (_, k) =>
        mintToken(
          SECRET,
          { kind: 'agent', agentId: `bench-${k}`, tenantId: 'acme', roles: ['closing'] },
          { ttlSeconds: 3600 },
        ),
      ),
    );
    const agents: GuardlineAgent[] = [];
    for (let i = 0; i < SESSIONS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, SESSIONS - i) }, (_, j) =>
          GuardlineAgent.connect({
            url: gl.url,
            token: tokens[Math.floor((i + j) / 10)] as string,
            session: {
              callId: `bench-${i + j}`,
              channel: 'voice',
              direction: 'inbound',
              role: 'closing',
              jurisdiction: 'NY',
              timezone: 'America/New_York',
            },
          }),
        ),
      );
      agents.push(...batch);
    }
    await Promise.all(agents.map((a) => a.propose('say', { text: DISCLOSURE })));
    const samples: number[] = [];
    let measuring = false;
    let transcriptsSent = 0;
    let stop = false;
    const proposing = agents.map(async (a, i) => {
      await sleep((i / agents.length) * PROPOSE_EVERY_MS);
      let n = 0;
      while (!stop) {
        n += 1;
        const t0 = performance.now();
        await a.propose('say', { text: `Our plan includes onboarding, number ${n}.` });
        if (measuring) samples.push(performance.now() - t0);
        await sleep(PROPOSE_EVERY_MS - (performance.now() - t0));
      }
    });
    // What the customer says, on its own clock (not in step with the proposals).
    const talking = agents.map(async (a, i) => {
      await sleep((((i * 7919) % agents.length) / agents.length) * TRANSCRIPT_EVERY_MS);
      while (!stop) {
        a.transcript('customer', 'Okay, tell me more about the onboarding.');
        if (measuring) transcriptsSent++;
        await sleep(TRANSCRIPT_EVERY_MS);
      }
    });
    const loops = [...proposing, ...talking];
    // A process's first fetch loads its HTTP client, blocking this loop (and every client in it)
    // for tens of milliseconds: that happens here, not at the start of the measured window.
    await serverAnswers(gl.url);
    await sleep(3000);
    const answers0 = await serverAnswers(gl.url);
    // The clients share the 2 cores with the server: a busy client loop would show up as round trip
    // (sampled every millisecond: at the default 10 ms the histogram cannot see a few ms of lag).
    const clientDelay = monitorEventLoopDelay({ resolution: 1 });
    clientDelay.enable();
    const cpu0 = cpuSeconds(gl.proc.pid as number);
    const written0 = bytesWritten(gl.proc.pid as number);
    const clientCpu0 = process.cpuUsage();
    measuring = true;
    await sleep(MEASURE_MS);
    measuring = false;
    const answers1 = await serverAnswers(gl.url);
    const cpu = cpuSeconds(gl.proc.pid as number) - cpu0;
    const written1 = bytesWritten(gl.proc.pid as number);
    const clientCpu = process.cpuUsage(clientCpu0);
    clientDelay.disable();
    stop = true;
    await Promise.all(loops);
    await Promise.all(agents.map((a) => a.close()));
    const name = `server: ${SESSIONS} agent sessions`;
    return [
      atMost({ name, metric: 'proposal → decision p50', value: percentile(samples, 50), unit: 'ms' }, 5),
      atMost({ name, metric: 'proposal → decision p99', value: percentile(samples, 99), unit: 'ms' }, 5),
      { name, metric: 'decisions measured', value: samples.length, unit: 'decisions' },
      {
        name,
        metric: "answered within 5 ms of arriving, server's own clock",
        value: Number(
          ((100 * (answers1.within5ms - answers0.within5ms)) / Math.max(1, answers1.total - answers0.total)).toFixed(2),
        ),
        unit: '% of decisions',
      },
      { name, metric: 'server CPU', value: (cpu / (MEASURE_MS / 1000)) * 100, unit: '% of one core' },
      {
        name,
        metric: 'bench client CPU (clients + fakes)',
        value: ((clientCpu.user + clientCpu.system) / 1000 / MEASURE_MS) * 100,
        unit: '% of one core',
      },
      ...(written0 !== null && written1 !== null
        ? [
            {
              name,
              metric: 'server bytes written to disk per input (proposal or transcript)',
              value: Number(((written1 - written0) / 1024 / Math.max(1, samples.length + transcriptsSent)).toFixed(1)),
              unit: 'KB',
            },
          ]
        : []),
      {
        name,
        metric: 'bench client event-loop delay p99',
        value: clientDelay.percentile(99) / 1e6,
        unit: 'ms',
      },
    ];
  } finally {
    gl.proc.kill('SIGTERM');
    await new Promise((resolve) => gl.proc.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Opens STREAMS Twilio streams to `url` (connected + start), ready to send audio. */
async function openStreams(url: string, parameters: Record<string, string>): Promise<TwilioMediaStreamClient[]> {
  const clients = Array.from(
    { length: STREAMS },
    (_, i) =>
      new TwilioMediaStreamClient(url, { customParameters: { ...parameters, sessionId: `stream-${Date.now()}-${i}` } }),
  );
  for (const c of clients) await c.open();
  return clients;
}

/** Sends `ms` of audio at real pacing on every stream and returns the CPU seconds `pid` used meanwhile. */
async function sendAndMeasure(clients: TwilioMediaStreamClient[], pid: number, audio: Buffer): Promise<number> {
  const cpu0 = cpuSeconds(pid);
  await Promise.all(clients.map((c) => c.sendAudio(audio)));
  return cpuSeconds(pid) - cpu0;
}

async function closeStreams(clients: TwilioMediaStreamClient[]): Promise<void> {
  for (const c of clients) c.sendStop();
  await Promise.all(clients.map((c) => c.close()));
}

async function twilioStreams(): Promise<BenchResult[]> {
  const words = 'so tell me how the pricing works for a team of our size';
  const deepgram = await startFakeDeepgram({
    idleTimeoutMs: 60_000,
    script: Array.from({ length: Math.floor(STREAM_MS / 2500) }, (_, k) => ({
      afterAudioMs: 500 + k * 2500,
      text: words,
    })),
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'guardline-bench-'));
  const gl = await startGuardline(dir, { DEEPGRAM_API_KEY: deepgram.apiKey, DEEPGRAM_BASE_URL: deepgram.url });
  const relay = await child(
    // BENCH_RELAY_NODE_ARGS profiles the relay the same way.
    [...(process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--input-type=module', '-e', RELAY],
    { DG_URL: deepgram.url, DG_KEY: deepgram.apiKey },
    /relay-port=(\d+)/,
  );
  try {
    const token = await mintToken(
      SECRET,
      { kind: 'agent', agentId: 'bench', tenantId: 'acme', roles: ['closing'] },
      { ttlSeconds: 3600 },
    );
    const parameters = {
      direction: 'inbound',
      role: 'closing',
      jurisdiction: 'NY',
      timezone: 'America/New_York',
      agentId: 'bench',
      tenantId: 'acme',
    };
    const relayStreams = await openStreams(`ws://127.0.0.1:${relay.match[1]}/`, parameters);
    const glStreams = await openStreams(
      `${gl.url.replace('http', 'ws')}/v1/telephony/twilio?token=${token}`,
      parameters,
    );
    await sleep(500);
    // The two take turns, SLICE_MS of audio at a time in A B B A order, so both see the same machine
    // (other processes' load on the 2 cores moves the figures a lot between consecutive runs).
    const audio = mulawTone(SLICE_MS);
    const rounds = Math.max(1, Math.round(STREAM_MS / SLICE_MS));
    let relayCpu = 0;
    let glCpu = 0;
    for (let round = 0; round < rounds; round++) {
      const measureRelay = () => sendAndMeasure(relayStreams, relay.proc.pid as number, audio);
      const measureGl = () => sendAndMeasure(glStreams, gl.proc.pid as number, audio);
      if (round % 2 === 0) {
        relayCpu += await measureRelay();
        glCpu += await measureGl();
      } else {
        glCpu += await measureGl();
        relayCpu += await measureRelay();
      }
    }
    await closeStreams(relayStreams);
    await closeStreams(glStreams);
    const seconds = (rounds * SLICE_MS) / 1000;
    const perStream = (cpu: number) => ((cpu / seconds) * 1000) / STREAMS;
    const name = `server: ${STREAMS} Twilio streams`;
    return [
      atMost(
        versus(
          { name, metric: 'Guardline CPU per stream', value: perStream(glCpu), unit: 'ms CPU/s' },
          perStream(relayCpu),
        ),
        perStream(relayCpu) * 1.3,
      ),
      { name, metric: 'plain relay CPU per stream', value: perStream(relayCpu), unit: 'ms CPU/s' },
    ];
  } finally {
    for (const p of [gl.proc, relay.proc]) {
      p.kill('SIGTERM');
      await new Promise((resolve) => p.once('exit', resolve));
    }
    await deepgram.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: 'server',
  description: `${SESSIONS} agent sessions (proposal → decision) and ${STREAMS} Twilio streams vs a plain relay`,
  async run() {
    return [...(PART === 'streams' ? [] : await agentSessions()), ...(PART === 'agents' ? [] : await twilioStreams())];
  },
};
export default bench;
