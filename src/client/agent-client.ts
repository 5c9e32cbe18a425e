import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { Decision, Directive } from '../model/index.ts';
import type {
  AgentMessageInput,
  ApprovalResultMessage,
  AudioFormat,
  ErrorMessage,
  HelloSession,
  ReadyMessage,
  ServerMessage,
} from './protocol.ts';

/** An `error` frame from Guardline, as a rejection. */
export class GuardlineProtocolError extends Error {
  readonly code: string;
  readonly action: string;
  readonly ref: string | undefined;
  constructor(frame: ErrorMessage) {
    super(`${frame.code}: ${frame.message}`);
    this.name = 'GuardlineProtocolError';
    this.code = frame.code;
    this.action = frame.action;
    this.ref = frame.ref;
  }
}

export interface ConnectOptions {
  /** `ws://host:port` or `http://host:port` (the path `/v1/agent` is added). */
  url: string;
  token: string;
  session: HelloSession;
  audio?: AudioFormat;
  /** Send the token as `?token=` instead of the Authorization header. */
  tokenInQuery?: boolean;
  /** Milliseconds to wait for `ready`. Default 10 000. */
  timeoutMs?: number;
  /**
   * How many of the latest messages (and directives) the client keeps for `messages`,
   * `directives` and `waitFor`. Default 1 000: a call of many minutes must not grow without bound.
   */
  historyLimit?: number;
}

const DEFAULT_HISTORY_LIMIT = 1000;

/** Appends to a history of at most `limit` items, dropping the oldest (in blocks, so appending stays O(1)). */
function remember<T>(history: T[], item: T, limit: number): void {
  history.push(item);
  if (history.length >= 2 * limit) history.splice(0, history.length - limit);
}

interface ClientEvents {
  message: [ServerMessage];
  decision: [Decision];
  directive: [Directive];
  approval_result: [ApprovalResultMessage];
  error: [GuardlineProtocolError];
  close: [code: number, reason: string];
}

let counter = 0;

/**
 * A small client for Guardline's agent protocol: `connect` says `hello` and resolves on `ready`;
 * `propose` resolves with the decision for its proposal id; directives and approval results
 * arrive as events. Used by the tests, the benchmark and the demo.
 */
export class GuardlineAgent extends EventEmitter<ClientEvents> {
  /** The latest messages received, oldest first (about `historyLimit` of them, at most twice that). */
  readonly messages: ServerMessage[] = [];
  /** The latest directives received, oldest first (as `messages`). */
  readonly directives: Directive[] = [];
  private readonly pending = new Map<string, { resolve(d: Decision): void; reject(e: Error): void }>();
  private readonly pings = new Map<string, (at: number) => void>();
  private closed = false;

  private constructor(
    readonly socket: WebSocket,
    readonly ready: ReadyMessage,
    private readonly historyLimit: number,
  ) {
    super();
  }

  get sessionId(): string {
    return this.ready.sessionId;
  }

  static connect(options: ConnectOptions): Promise<GuardlineAgent> {
    const base = options.url.replace(/^http/, 'ws').replace(/\/+$/, '');
    const url = `${base}/v1/agent${options.tokenInQuery ? `?token=${encodeURIComponent(options.token)}` : ''}`;
    const socket = new WebSocket(
      url,
      options.tokenInQuery ? {} : { headers: { authorization: `Bearer ${options.token}` } },
    );
    return new Promise((resolve, reject) => {
      const early: ServerMessage[] = [];
      const timer = setTimeout(() => fail(new Error('timed out waiting for ready')), options.timeoutMs ?? 10_000);
      const fail = (e: Error) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => {});
        socket.terminate();
        reject(e);
      };
      socket.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => {
          try {
            const frame = JSON.parse(body) as Omit<ErrorMessage, 'type'>;
            fail(new GuardlineProtocolError({ type: 'error', ...frame }));
          } catch {
            fail(new Error(`upgrade refused: HTTP ${res.statusCode}`));
          }
        });
      });
      socket.on('error', fail);
      socket.on('close', (code, reason) => fail(new Error(`closed before ready: ${code} ${reason.toString()}`)));
      socket.on('open', () => {
        const hello: AgentMessageInput = {
          type: 'hello',
          session: options.session,
          ...(options.audio ? { audio: options.audio } : {}),
        };
        socket.send(JSON.stringify(hello));
      });
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type === 'error' && message.ref === 'hello') return fail(new GuardlineProtocolError(message));
        if (message.type !== 'ready') {
          early.push(message);
          return;
        }
        clearTimeout(timer);
        socket.removeAllListeners();
        const agent = new GuardlineAgent(socket, message, Math.max(1, options.historyLimit ?? DEFAULT_HISTORY_LIMIT));
        agent.attach();
        for (const m of early) agent.onMessage(m);
        resolve(agent);
      });
    });
  }

  /** Asks the gate; resolves with the decision (whatever its outcome), rejects on a `GL_*` error for this proposal. */
  propose(kind: string, params: unknown, options: { id?: string; override?: string } = {}): Promise<Decision> {
    counter += 1;
    const id = options.id ?? `p-${process.pid}-${counter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'propose', id, kind, params, ...(options.override ? { override: options.override } : {}) });
    });
  }

  transcript(
    speaker: 'agent' | 'customer',
    text: string,
    options: { isFinal?: boolean; confidence?: number } = {},
  ): void {
    this.send({
      type: 'transcript',
      speaker,
      text,
      isFinal: options.isFinal ?? true,
      confidence: options.confidence ?? 1,
    });
  }

  event(event: 'voicemail' | 'transfer_completed' | 'call_ended'): void {
    this.send({ type: 'event', event });
  }

  /** Round trip in milliseconds. */
  ping(): Promise<number> {
    counter += 1;
    const id = `ping-${counter}`;
    const sent = performance.now();
    return new Promise((resolve) => {
      this.pings.set(id, () => resolve(performance.now() - sent));
      this.send({ type: 'ping', id });
    });
  }

  sendAudio(chunk: Buffer): void {
    this.socket.send(chunk, { binary: true });
  }

  /** Sends a raw frame (tests of bad input). */
  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  send(message: AgentMessageInput): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** The next message (among those kept, or arriving) that matches. */
  waitFor<T extends ServerMessage>(match: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  waitFor(match: (m: ServerMessage) => boolean, timeoutMs = 10_000): Promise<ServerMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('message', listener);
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      const listener = (m: ServerMessage) => {
        if (!match(m)) return;
        clearTimeout(timer);
        this.off('message', listener);
        resolve(m);
      };
      this.on('message', listener);
    });
  }

  /** The next directive of `kind` (already received or arriving). */
  directive(kind: Directive['kind'], timeoutMs?: number): Promise<Directive> {
    return this.waitFor((m) => m.type === 'directive' && m.directive.kind === kind, timeoutMs).then(
      (m) => (m as { directive: Directive }).directive,
    );
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000, 'agent done');
    });
  }

  private attach(): void {
    this.socket.on('message', (data, isBinary) => {
      if (!isBinary) this.onMessage(JSON.parse(data.toString()) as ServerMessage);
    });
    this.socket.on('close', (code, reason) => {
      this.closed = true;
      const error = new Error(`connection closed: ${code}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
      this.emit('close', code, reason.toString());
    });
    this.socket.on('error', () => {});
  }

  private onMessage(message: ServerMessage): void {
    remember(this.messages, message, this.historyLimit);
    this.emit('message', message);
    switch (message.type) {
      case 'decision': {
        this.emit('decision', message.decision);
        const p = this.pending.get(message.proposalId);
        if (p) {
          this.pending.delete(message.proposalId);
          p.resolve(message.decision);
        }
        break;
      }
      case 'directive':
        remember(this.directives, message.directive, this.historyLimit);
        this.emit('directive', message.directive);
        break;
      case 'approval_result':
        this.emit('approval_result', message);
        break;
      case 'pong':
        if (message.id) this.pings.get(message.id)?.(message.at);
        if (message.id) this.pings.delete(message.id);
        break;
      case 'error': {
        const error = new GuardlineProtocolError(message);
        const p = message.ref ? this.pending.get(message.ref) : undefined;
        if (p && message.ref) {
          this.pending.delete(message.ref);
          p.reject(error);
        }
        if (this.listenerCount('error') > 0) this.emit('error', error);
        break;
      }
      case 'ready':
        break;
    }
  }
}
