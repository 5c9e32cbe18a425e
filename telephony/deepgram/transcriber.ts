import { DeepgramClient } from '@deepgram/sdk';
import { GuardlineError } from '../../src/errors/index.ts';
import { AudioBacklog } from './audio-backlog.ts';
import { AudioBatch } from './audio-batch.ts';
import { backoffDelay } from './backoff.ts';
import {
  BYTES_PER_SAMPLE,
  type DeepgramTranscriberConfig,
  type DeepgramTranscriberConfigInput,
  listenQuery,
  parseTranscriberConfig,
} from './config.ts';
import { type ListenSocket, openListenSocket } from './connection.ts';
import { type TranscriberEvents, TypedEmitter } from './events.ts';
import { parseListenMessage } from './listen-messages.ts';

export interface TranscriberDeps {
  /** Jitter source for backoff (inject a seeded one in tests). Default Math.random. */
  random?: () => number;
  /** Wall clock for event times. Default Date.now. */
  now?: () => number;
  /** Share one SDK client between transcribers. Default: one per transcriber. */
  client?: DeepgramClient;
}

export type TranscriberState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'failed' | 'closed';

export interface TranscriberStats {
  state: TranscriberState;
  connects: number;
  audioBytesSent: number;
  /** Audio dropped because the backlog was full while disconnected (or sent after a failure). */
  droppedAudioBytes: number;
  bufferedAudioBytes: number;
  keepAlivesSent: number;
}

/**
 * Streams one call's audio to Deepgram's live API through `@deepgram/sdk` and reports typed
 * events. Audio goes out in messages of about `sendChunkMs` (see `AudioBatch`). It owns
 * reconnection (the SDK's is off): exponential backoff with jitter; audio sent
 * while disconnected is kept up to `maxBufferedAudioMs` and REPLAYED on reconnect (older audio is
 * dropped and counted); timestamps are offset so they stay on the call's audio timeline and never
 * go back across reconnects. KeepAlive goes out when no audio has been sent for
 * `keepAliveIntervalMs`. If the connection stays down past `lostGraceMs`, `lost` is emitted (then
 * `restored` when it is back): the session fails closed on `lost`.
 */
export class DeepgramTranscriber extends TypedEmitter<TranscriberEvents> {
  readonly config: DeepgramTranscriberConfig;
  private readonly client: DeepgramClient;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly bytesPerSecond: number;
  private readonly backlog: AudioBacklog;
  private readonly batch: AudioBatch;
  private batchTimer: NodeJS.Timeout | null = null;
  private socket: ListenSocket | null = null;
  private state: TranscriberState = 'idle';
  /** Bytes of call audio handed to `sendAudio` so far (the call's audio timeline). */
  private position = 0;
  private lastSendAt = 0;
  private disconnectedAt: number | null = null;
  private lostEmitted = false;
  private attempts = 0;
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly counters = { connects: 0, audioBytesSent: 0, droppedAudioBytes: 0, keepAlivesSent: 0 };
  /** The connection attempt in flight, if any (its success sends the audio held meanwhile). */
  private connecting: Promise<void> | null = null;

  constructor(config: DeepgramTranscriberConfigInput, deps: TranscriberDeps = {}) {
    super();
    this.config = parseTranscriberConfig(config);
    this.client =
      deps.client ??
      new DeepgramClient({
        apiKey: this.config.apiKey,
        ...(this.config.baseUrl ? { baseUrl: this.config.baseUrl } : {}),
      });
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.bytesPerSecond = this.config.sampleRate * BYTES_PER_SAMPLE[this.config.encoding];
    this.backlog = new AudioBacklog(Math.floor((this.config.maxBufferedAudioMs / 1000) * this.bytesPerSecond));
    this.batch = new AudioBatch(Math.floor((this.config.sendChunkMs / 1000) * this.bytesPerSecond));
  }

  get stats(): TranscriberStats {
    return {
      state: this.state,
      ...this.counters,
      droppedAudioBytes: this.counters.droppedAudioBytes + this.backlog.droppedBytes,
      bufferedAudioBytes: this.backlog.bytes,
    };
  }

  /**
   * Opens the first connection. Rejects with a typed error (`GL_TRANSCRIPTION_AUTH`,
   * `GL_TRANSCRIPTION_REJECTED`, `GL_TRANSCRIPTION_UNAVAILABLE`) if it fails; the transcriber is
   * then `failed` and the caller decides (fail closed, or transcript mode).
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`start() in state ${this.state}`);
    this.state = 'connecting';
    try {
      await this.connectTracked();
    } catch (err) {
      const error = (err as { error?: GuardlineError }).error ?? new GuardlineError('GL_TRANSCRIPTION_UNAVAILABLE');
      this.fail(error);
      throw error;
    }
    if (this.config.keepAliveIntervalMs > 0) {
      const tick = Math.max(50, Math.floor(this.config.keepAliveIntervalMs / 2));
      this.keepAliveTimer = setInterval(() => this.keepAlive(), tick);
      this.keepAliveTimer.unref();
    }
  }

  /**
   * Sends call audio (any chunk size, in the configured encoding). While disconnected it is kept
   * for replay. Returns false once the transcriber is closed or failed (the audio is not sent).
   */
  sendAudio(chunk: Buffer): boolean {
    if (this.state === 'closed' || this.state === 'failed') return false;
    const position = this.position;
    this.position += chunk.length;
    if (!this.isOpen()) {
      this.backlog.push(position, chunk);
      return true;
    }
    if (this.batch.add(position, chunk)) this.sendBatch();
    else if (this.batchTimer === null) {
      this.batchTimer = setTimeout(() => this.sendBatch(), this.config.sendChunkMs);
      this.batchTimer.unref();
    }
    return true;
  }

  /** Asks Deepgram to flush the current speech as a final result (call at the end of a turn). */
  finalize(): void {
    this.sendBatch();
    this.sendControl('Finalize');
  }

  /**
   * Ends transcription: sends CloseStream, waits (up to `closeTimeoutMs`) for Deepgram's last
   * results and Metadata and its close, then closes. No reconnection after this. If a connection
   * is being made (a call that ends within its first moments, before Deepgram answered), it waits
   * for it (up to `connectTimeoutMs`): the audio held meanwhile is sent and transcribed, not dropped.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    if (this.connecting && this.backlog.bytes > 0) {
      await this.connecting.catch(() => {});
      if ((this.state as TranscriberState) === 'closed') return;
    }
    this.sendBatch();
    const socket = this.socket;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.clearTimers();
    if (socket && wasOpen && socket.readyState === 1) {
      const closed = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.closeTimeoutMs);
        socket.socket.addEventListener('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      socket.sendCloseStream({ type: 'CloseStream' });
      await closed;
    }
    this.closeSocket();
    this.backlog.drain();
    this.emit('closed', { at: this.now() });
  }

  private connectTracked(): Promise<void> {
    const attempt = this.connect();
    this.connecting = attempt;
    const done = () => {
      if (this.connecting === attempt) this.connecting = null;
    };
    attempt.then(done, done);
    return attempt;
  }

  private async connect(): Promise<void> {
    let offsetSec = 0;
    const socket = await openListenSocket(this.client, listenQuery(this.config), this.config.connectTimeoutMs, {
      onMessage: (message) => this.onMessage(message, offsetSec),
      onClose: (code, reason) => {
        if (this.socket === socket) this.onUnexpectedClose(code, reason);
      },
    });
    if (this.state === 'closed') {
      socket.close();
      return;
    }
    // The new connection's time 0 is the oldest audio it is about to receive.
    offsetSec = (this.backlog.firstPosition() ?? this.position) / this.bytesPerSecond;
    this.socket = socket;
    this.state = 'open';
    this.counters.connects += 1;
    for (const chunk of this.backlog.drain()) {
      socket.sendMedia(chunk);
      this.counters.audioBytesSent += chunk.length;
    }
    this.lastSendAt = this.now();
  }

  private onMessage(raw: unknown, offsetSec: number): void {
    const message = parseListenMessage(raw, offsetSec);
    const at = this.now();
    if (!message) return;
    if (message.type === 'transcript') this.emit('transcript', message.event);
    else if (message.type === 'speech_started') this.emit('speech_started', { at, timestamp: message.timestamp });
    else if (message.type === 'utterance_end') this.emit('utterance_end', { at, lastWordEnd: message.lastWordEnd });
    else this.emit('metadata', { at, requestId: message.requestId, durationSec: message.durationSec });
  }

  private onUnexpectedClose(code: number, reason: string): void {
    this.socket = null;
    if (this.state !== 'open') return;
    this.sendBatch(); // not open any more: into the backlog, ahead of what comes next
    const at = this.now();
    this.state = 'reconnecting';
    this.disconnectedAt = at;
    this.lostEmitted = false;
    this.attempts = 0;
    this.emit('disconnected', { at, code, reason });
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      if (this.state === 'open' || this.state === 'closed') return;
      this.lostEmitted = true;
      this.emit('lost', { at: this.now(), since: at });
    }, this.config.lostGraceMs);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = backoffDelay(this.config.reconnect, this.attempts, this.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    if (this.state !== 'reconnecting') return;
    this.attempts += 1;
    try {
      await this.connectTracked();
    } catch (err) {
      if (this.state !== 'reconnecting') return;
      const { error, permanent } = err as { error: GuardlineError; permanent: boolean };
      this.emit('error', { at: this.now(), error });
      if (permanent) {
        // Not retried; `lost` still fires when the grace period ends (fail closed).
        this.state = 'failed';
        this.stopKeepAlive();
        this.counters.droppedAudioBytes += this.backlog.bytes;
        this.backlog.drain();
        return;
      }
      this.scheduleReconnect();
      return;
    }
    if ((this.state as TranscriberState) !== 'open') return;
    const at = this.now();
    const downtimeMs = at - (this.disconnectedAt ?? at);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.emit('reconnected', { at, downtimeMs, attempts: this.attempts });
    if (this.lostEmitted) this.emit('restored', { at, downtimeMs });
    this.lostEmitted = false;
    this.disconnectedAt = null;
  }

  private isOpen(): boolean {
    return this.state === 'open' && this.socket !== null && this.socket.readyState === 1;
  }

  /** Sends the audio gathered so far, or keeps it for replay when the connection is not open. */
  private sendBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    const taken = this.batch.take();
    if (!taken) return;
    const socket = this.socket;
    if (socket && this.isOpen()) {
      socket.sendMedia(taken.data);
      this.counters.audioBytesSent += taken.data.length;
      this.lastSendAt = this.now();
    } else if (this.state === 'failed' || this.state === 'closed') {
      this.counters.droppedAudioBytes += taken.data.length;
    } else this.backlog.push(taken.position, taken.data);
  }

  private keepAlive(): void {
    if (this.state !== 'open') return;
    if (this.now() - this.lastSendAt < this.config.keepAliveIntervalMs) return;
    if (this.sendControl('KeepAlive')) this.counters.keepAlivesSent += 1;
  }

  private sendControl(type: 'KeepAlive' | 'Finalize'): boolean {
    const socket = this.socket;
    if (this.state !== 'open' || !socket || socket.readyState !== 1) return false;
    if (type === 'KeepAlive') socket.sendKeepAlive({ type });
    else socket.sendFinalize({ type });
    this.lastSendAt = this.now();
    return true;
  }

  private fail(error: GuardlineError): void {
    this.state = 'failed';
    this.sendBatch();
    this.clearTimers();
    this.closeSocket();
    this.emit('error', { at: this.now(), error });
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }

  private clearTimers(): void {
    this.stopKeepAlive();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.graceTimer = null;
    this.retryTimer = null;
  }

  private closeSocket(): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }
}
