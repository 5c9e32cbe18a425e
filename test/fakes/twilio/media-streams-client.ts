import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { mulawFrames, mulawSilence, mulawTone } from './mulaw.ts';

/**
 * Plays the Twilio side of a Media Streams call to a WebSocket URL, as Twilio does: `connected`,
 * `start`, `media` frames of 20 ms μ-law (160 bytes) at real pacing (or faster with `speed`),
 * `dtmf`, `stop`; it records what the server sends back (`media`, `mark`, `clear`) and, like
 * Twilio, echoes each `mark` back (at once: the fake plays no audio).
 */
export interface TwilioClientOptions {
  streamSid?: string;
  callSid?: string;
  accountSid?: string;
  customParameters?: Record<string, string>;
  tracks?: ('inbound' | 'outbound')[];
  /** 1 = real time (50 frames/s); 10 = ten times faster; Infinity = no pacing. Default 1. */
  speed?: number;
  /** Echo `mark` messages back as Twilio does after playback. Default true. */
  echoMarks?: boolean;
  headers?: Record<string, string>;
}

export type CallStep =
  | { audio: Buffer }
  | { silenceMs: number }
  | { toneMs: number; frequencyHz?: number }
  | { dtmf: string }
  | { waitMs: number };

export interface ServerMessage {
  at: number;
  message: { event?: string; [key: string]: unknown };
}

const FRAME_MS = 20;
let counter = 0;
function fakeSid(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(16)}${counter.toString(16).padStart(8, '0')}`.padEnd(34, '0').slice(0, 34);
}

export class TwilioMediaStreamClient {
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  /** Everything the server sent, parsed, in order. */
  readonly received: ServerMessage[] = [];
  framesSent = 0;
  bytesSent = 0;
  private sequenceNumber = 0;
  private streamMs = 0;
  private socket: WebSocket | null = null;
  private closedPromise: Promise<{ code: number; reason: string }> | null = null;
  private readonly options: TwilioClientOptions;

  constructor(
    readonly url: string,
    options: TwilioClientOptions = {},
  ) {
    this.options = options;
    this.streamSid = options.streamSid ?? fakeSid('MZ');
    this.callSid = options.callSid ?? fakeSid('CA');
    this.accountSid = options.accountSid ?? fakeSid('AC');
  }

  /** Opens the socket and sends `connected` then `start`. */
  async open(): Promise<void> {
    const socket = new WebSocket(this.url, { headers: this.options.headers });
    this.socket = socket;
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data, isBinary) => this.onServerMessage(data, isBinary));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.sendJson({
      event: 'start',
      sequenceNumber: this.nextSequence(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: this.options.tracks ?? ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        customParameters: this.options.customParameters ?? {},
      },
      streamSid: this.streamSid,
    });
  }

  /** Sends audio as 20 ms frames, paced by `speed` (drift-corrected against the clock). */
  async sendAudio(audio: Buffer, speed = this.options.speed ?? 1): Promise<void> {
    const frames = mulawFrames(audio);
    const startedAt = performance.now();
    for (let i = 0; i < frames.length; i++) {
      if (Number.isFinite(speed)) {
        const due = startedAt + (i * FRAME_MS) / speed;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
      } else if (i % 50 === 49) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.sendFrame(frames[i] as Buffer);
    }
  }

  /** Sends one `media` message with this exact payload (any size), advancing chunk and timestamp. */
  sendFrame(payload: Buffer): void {
    this.framesSent += 1;
    this.bytesSent += payload.length;
    this.sendJson({
      event: 'media',
      sequenceNumber: this.nextSequence(),
      media: {
        track: 'inbound',
        chunk: String(this.framesSent),
        timestamp: String(this.streamMs),
        payload: payload.toString('base64'),
      },
      streamSid: this.streamSid,
    });
    this.streamMs += Math.round((payload.length / 8000) * 1000);
  }

  sendDtmf(digit: string): void {
    this.sendJson({
      event: 'dtmf',
      streamSid: this.streamSid,
      sequenceNumber: this.nextSequence(),
      dtmf: { track: 'inbound_track', digit },
    });
  }

  /** Sends `stop` (the call hung up or the stream ended). */
  sendStop(): void {
    this.sendJson({
      event: 'stop',
      sequenceNumber: this.nextSequence(),
      streamSid: this.streamSid,
      stop: { accountSid: this.accountSid, callSid: this.callSid },
    });
  }

  /** Sends any text frame as is (for malformed-input tests). */
  sendRaw(text: string): void {
    this.requireSocket().send(text);
  }

  /** Runs the steps in order. */
  async play(steps: CallStep[]): Promise<void> {
    for (const step of steps) {
      if ('audio' in step) await this.sendAudio(step.audio);
      else if ('silenceMs' in step) await this.sendAudio(mulawSilence(step.silenceMs));
      else if ('toneMs' in step) await this.sendAudio(mulawTone(step.toneMs, step.frequencyHz));
      else if ('dtmf' in step) this.sendDtmf(step.dtmf);
      else {
        this.streamMs += step.waitMs;
        await sleep(step.waitMs / (this.options.speed ?? 1));
      }
    }
  }

  /** Closes the socket (after `stop`, as Twilio does) and resolves with the close code. */
  async close(): Promise<{ code: number; reason: string }> {
    const socket = this.requireSocket();
    if (socket.readyState === WebSocket.OPEN) socket.close(1000);
    return this.closed();
  }

  /** Resolves when the server or the client closes the socket. */
  closed(): Promise<{ code: number; reason: string }> {
    if (!this.closedPromise) throw new Error('open() first');
    return this.closedPromise;
  }

  /** Messages the server sent with this `event`. */
  receivedOf(event: string): ServerMessage[] {
    return this.received.filter((entry) => entry.message.event === event);
  }

  private onServerMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: ServerMessage['message'];
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    this.received.push({ at: Date.now(), message });
    if (message.event === 'mark' && (this.options.echoMarks ?? true)) {
      const mark = message.mark as { name?: unknown } | undefined;
      this.sendJson({
        event: 'mark',
        sequenceNumber: this.nextSequence(),
        streamSid: this.streamSid,
        mark: { name: String(mark?.name ?? '') },
      });
    }
  }

  private nextSequence(): string {
    this.sequenceNumber += 1;
    return String(this.sequenceNumber);
  }

  private sendJson(message: object): void {
    const socket = this.requireSocket();
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  private requireSocket(): WebSocket {
    if (!this.socket) throw new Error('open() first');
    return this.socket;
  }
}

/** Plays a whole call: open, steps, `stop`, close. Returns the client for its records. */
export async function playTwilioCall(
  url: string,
  steps: CallStep[],
  options: TwilioClientOptions = {},
): Promise<TwilioMediaStreamClient> {
  const client = new TwilioMediaStreamClient(url, options);
  await client.open();
  await client.play(steps);
  client.sendStop();
  await client.close();
  return client;
}
