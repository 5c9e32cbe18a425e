import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { metadataMessage, NET_0001_REASON } from './messages.ts';
import { type ListenParams, parseListenParams } from './params.ts';
import { type ScriptEntry, ScriptPlayer } from './script.ts';

/**
 * A fake of Deepgram's live transcription API (`/v1/listen`) on 127.0.0.1, for the real
 * `@deepgram/sdk` to talk to. It checks `Authorization: Token <key>` (HTTP 401 otherwise), reads
 * the query parameters, plays a script of transcripts timed by the audio it receives, handles
 * KeepAlive / Finalize / CloseStream, closes idle connections with 1011 NET-0001, and can inject
 * faults (drop connections, refuse connections).
 */
export interface FakeDeepgramOptions {
  /** Default `fake-deepgram-key`. */
  apiKey?: string;
  /** Close with 1011 NET-0001 after this long without audio or a text message. Default 10 000. */
  idleTimeoutMs?: number;
  /** The script for each connection (by its index from 0), or one script for all. */
  script?: readonly ScriptEntry[] | ((connectionIndex: number) => readonly ScriptEntry[]);
  /** Drop (terminate, no close frame) a connection once it has received this much audio. */
  dropAfterAudioMs?: (connectionIndex: number) => number | undefined;
  /** Complete each accepted WebSocket upgrade only after this long (a slow network or a busy API). */
  acceptDelayMs?: number;
}

export interface FakeDeepgramConnection {
  index: number;
  requestId: string;
  params: ListenParams;
  audioBytes: number;
  /** Text messages received, by `type` (KeepAlive, Finalize, CloseStream, ...). */
  controlMessages: string[];
  /** Everything received, in order: `audio:<bytes>` for each audio message, else the control's type. */
  received: string[];
  /** Messages sent to the client, in order. */
  sent: { type: string; [key: string]: unknown }[];
  closed: { code: number; reason: string; by: 'server' | 'client' | 'dropped' } | null;
  /** Audio received, in seconds. */
  audioSeconds(): number;
}

export interface FakeDeepgram {
  /** Base URL for the SDK (`baseUrl`), e.g. `ws://127.0.0.1:40123`. */
  url: string;
  apiKey: string;
  connections: FakeDeepgramConnection[];
  /** Upgrade attempts answered with an HTTP error (auth, parameters, refused). */
  rejected: { status: number; reason: string }[];
  /** Refuse the next `count` connection attempts with HTTP `status` (default 503). */
  refuseNext(count: number, status?: number): void;
  /** Drop every open connection without a close frame (the client sees 1006). */
  dropAll(): void;
  /** Resolves when `count` connections have been accepted in total. */
  waitForConnections(count: number): Promise<void>;
  close(): Promise<void>;
}

const BODIES: Record<number, { err_code: string; err_msg: string }> = {
  401: { err_code: 'INVALID_AUTH', err_msg: 'Invalid credentials.' },
  503: { err_code: 'SERVICE_UNAVAILABLE', err_msg: 'Service unavailable.' },
};

function rejectUpgrade(socket: Socket, status: number, message?: string): void {
  const body = JSON.stringify({
    ...(BODIES[status] ?? { err_code: 'Bad Request', err_msg: message ?? 'Bad Request' }),
    ...(message ? { err_msg: message } : {}),
    request_id: randomUUID(),
  });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Bad Request'}\r\n` +
      `content-type: application/json\r\ndg-error: ${JSON.parse(body).err_msg}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export async function startFakeDeepgram(options: FakeDeepgramOptions = {}): Promise<FakeDeepgram> {
  const apiKey = options.apiKey ?? 'fake-deepgram-key';
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const connections: FakeDeepgramConnection[] = [];
  const rejected: FakeDeepgram['rejected'] = [];
  const refusals: number[] = [];
  const sockets = new Map<WebSocket, FakeDeepgramConnection>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const server = createServer((_req, res) => res.writeHead(404).end());

  function scriptFor(index: number): readonly ScriptEntry[] {
    const script = options.script ?? [];
    return typeof script === 'function' ? script(index) : script;
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reject = (status: number, reason: string) => {
      rejected.push({ status, reason });
      rejectUpgrade(socket, status, status === 401 ? undefined : reason);
    };
    if (url.pathname !== '/v1/listen') return reject(404, `Unknown path ${url.pathname}`);
    const refusal = refusals.shift();
    if (refusal !== undefined) return reject(refusal, 'Refused by fault injection.');
    if (req.headers.authorization !== `Token ${apiKey}`) return reject(401, 'Invalid credentials.');
    const params = parseListenParams(url.searchParams);
    if (!params.ok) return reject(400, params.error);
    const upgrade = () => wss.handleUpgrade(req, socket, head, (ws) => accept(ws, params.value));
    if (options.acceptDelayMs) setTimeout(upgrade, options.acceptDelayMs);
    else upgrade();
  });

  function accept(ws: WebSocket, params: ListenParams): void {
    const index = connections.length;
    const requestId = randomUUID();
    const created = new Date().toISOString();
    const hash = createHash('sha256');
    const bytesPerSecond = params.sampleRate * params.bytesPerSample * params.channels;
    const player = new ScriptPlayer(scriptFor(index), {
      interimResults: params.interimResults,
      endpointingMs: params.endpointingMs,
      utteranceEndMs: params.utteranceEndMs,
      vadEvents: params.vadEvents,
      requestId,
    });
    const dropAt = options.dropAfterAudioMs?.(index);
    const connection: FakeDeepgramConnection = {
      index,
      requestId,
      params,
      audioBytes: 0,
      controlMessages: [],
      received: [],
      sent: [],
      closed: null,
      audioSeconds: () => connection.audioBytes / bytesPerSecond,
    };
    connections.push(connection);
    sockets.set(ws, connection);
    for (const waiter of waiters.filter((w) => connections.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }

    const send = (message: object) => {
      if (ws.readyState !== ws.OPEN) return;
      connection.sent.push(message as FakeDeepgramConnection['sent'][number]);
      ws.send(JSON.stringify(message));
    };
    const metadata = () =>
      send(
        metadataMessage({
          requestId,
          sha256: hash.copy().digest('hex'),
          created,
          duration: connection.audioSeconds(),
          channels: connection.audioBytes > 0 ? params.channels : 0,
        }),
      );
    const closeBy = (code: number, reason: string) => {
      if (connection.closed) return;
      connection.closed = { code, reason, by: 'server' };
      ws.close(code, reason);
    };
    const idle = setTimeout(() => {
      metadata();
      closeBy(1011, NET_0001_REASON);
    }, idleTimeoutMs);

    ws.on('message', (data, isBinary) => {
      if (connection.closed) return;
      idle.refresh();
      if (isBinary) {
        const chunk = data as Buffer;
        connection.audioBytes += chunk.length;
        connection.received.push(`audio:${chunk.length}`);
        hash.update(chunk);
        const audioSec = connection.audioSeconds();
        if (dropAt !== undefined && audioSec * 1000 >= dropAt) {
          connection.closed = { code: 1006, reason: '', by: 'dropped' };
          ws.terminate();
          return;
        }
        for (const message of player.advance(audioSec)) send(message);
        return;
      }
      let type = 'invalid';
      try {
        type = String(JSON.parse(data.toString()).type);
      } catch {
        // Deepgram ignores text it cannot parse; recorded as `invalid`.
      }
      connection.controlMessages.push(type);
      connection.received.push(type);
      if (type === 'Finalize') send(player.finalize(connection.audioSeconds()));
      if (type === 'CloseStream') {
        if (player.hasSpeechInProgress()) send(player.finalize(connection.audioSeconds()));
        metadata();
        closeBy(1000, '');
      }
    });
    ws.on('close', (code, reason) => {
      clearTimeout(idle);
      sockets.delete(ws);
      if (!connection.closed) connection.closed = { code, reason: reason.toString(), by: 'client' };
    });
    ws.on('error', () => {
      // A client that vanishes mid-frame; the close handler records it.
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    apiKey,
    connections,
    rejected,
    refuseNext(count, status = 503) {
      for (let i = 0; i < count; i++) refusals.push(status);
    },
    dropAll() {
      for (const [ws, connection] of sockets) {
        if (!connection.closed) connection.closed = { code: 1006, reason: '', by: 'dropped' };
        ws.terminate();
      }
    },
    waitForConnections(count) {
      if (connections.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets.keys()) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
