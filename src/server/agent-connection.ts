import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { Identity } from '../auth/index.ts';
import {
  AGENT_MESSAGE_TYPES,
  AgentMessage,
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type ServerMessage,
} from '../client/protocol.ts';
import { type ErrorCode, GuardlineError, isGuardlineError } from '../errors/index.ts';
import { SessionMeta } from '../model/index.ts';
import type { LiveSession } from '../runtime/live-session.ts';
import type { AgentPort } from '../runtime/ports.ts';
import { bridgeTranscriber } from '../runtime/transcription.ts';
import type { GuardlineContext } from './context.ts';

type AgentIdentity = Extract<Identity, { kind: 'agent' }>;
type Hello = Extract<AgentMessage, { type: 'hello' }>;

const rawSize = (data: RawData): number =>
  Array.isArray(data)
    ? data.reduce((n, b) => n + b.length, 0)
    : data instanceof ArrayBuffer
      ? data.byteLength
      : data.length;
const rawBuffer = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;

/**
 * One agent's `/v1/agent` connection: validates every frame, opens (or joins) its session on
 * `hello`, turns messages into session inputs, and is the session's AgentPort. Frames are handled
 * one after another, in arrival order. A bad frame gets a `GL_*` error and changes nothing else.
 */
export class AgentConnection implements AgentPort {
  readonly agentId: string;
  private session: LiveSession | null = null;
  private state: 'awaiting_hello' | 'opening' | 'live' = 'awaiting_hello';
  /** The frames still being handled, in order, once one needs async work (`hello` opening the session). */
  private inbox: Promise<void> = Promise.resolve();
  /** How many frames are in `inbox`; while 0, a frame is handled at once, without a promise per frame. */
  private queued = 0;
  private audio: { send(chunk: Buffer): boolean; close(): Promise<void> } | null = null;
  private helloTimer: NodeJS.Timeout | null;
  private closed = false;
  private log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly identity: AgentIdentity,
    private readonly ctx: GuardlineContext,
  ) {
    this.agentId = identity.agentId;
    this.log = ctx.logger.child({ agentId: identity.agentId, tenantId: identity.tenantId });
    ctx.sockets.add(socket);
    this.helloTimer = setTimeout(() => {
      if (this.state === 'awaiting_hello') this.close(CLOSE_CODES.helloTimeout, 'no hello');
    }, ctx.helloTimeoutMs);
    this.helloTimer.unref();
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.onClose());
    socket.on('error', (e) => {
      ctx.metrics.wsErrors.inc({ code: 'socket' });
      this.log.warn({ err: e }, 'agent socket error');
    });
  }

  send(message: ServerMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  private error(code: ErrorCode, detail?: string, ref?: string): void {
    this.sendError(new GuardlineError(code, detail), ref);
  }

  private sendError(e: GuardlineError, ref?: string): void {
    this.ctx.metrics.wsErrors.inc({ code: e.code });
    this.send({ type: 'error', code: e.code, message: e.message, action: e.action, ...(ref ? { ref } : {}) });
  }

  private internal(e: unknown): void {
    this.log.error({ err: e }, 'agent frame handling failed');
    this.error('GL_GATE_INTERNAL', 'The frame could not be handled.');
  }

  /** Frames are handled one after another, in arrival order (frames after `hello` wait for the session). */
  private onMessage(data: RawData, isBinary: boolean): void {
    const pending = this.queued > 0 ? this.inbox.then(() => this.handle(data, isBinary)) : this.handle(data, isBinary);
    if (!pending) return;
    this.queued += 1;
    this.inbox = pending.finally(() => {
      this.queued -= 1;
    });
  }

  /** Handles one frame; returns a promise (that never rejects) only when the frame needs async work. */
  private handle(data: RawData, isBinary: boolean): Promise<void> | undefined {
    try {
      const pending = this.onFrame(data, isBinary);
      return pending instanceof Promise ? pending.catch(this.failed) : undefined;
    } catch (e) {
      this.failed(e);
      return undefined;
    }
  }

  private readonly failed = (e: unknown): void => this.internal(e);

  /** Returns a promise only for `hello` (the session opens); every other frame is applied at once. */
  private onFrame(data: RawData, isBinary: boolean): Promise<void> | void {
    const size = rawSize(data);
    if (size > this.ctx.config.maxFrameBytes) {
      return this.error('GL_PROTOCOL_FRAME_TOO_LARGE', `${size} bytes > ${this.ctx.config.maxFrameBytes}.`);
    }
    if (isBinary) return this.onAudio(rawBuffer(data));
    let json: unknown;
    try {
      json = JSON.parse(rawBuffer(data).toString('utf8'));
    } catch {
      return this.error('GL_PROTOCOL_INVALID_JSON');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return this.error('GL_PROTOCOL_INVALID_JSON');
    const type = (json as { type?: unknown }).type;
    if (typeof type !== 'string' || !(AGENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
      const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : 'missing';
      return this.error('GL_PROTOCOL_UNKNOWN_TYPE', `Type ${shown}.`);
    }
    const parsed = AgentMessage.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      const id = (json as { id?: unknown }).id;
      return this.error(
        'GL_PROTOCOL_INVALID_MESSAGE',
        `In "${type}": ${issues.join('; ')}.`,
        typeof id === 'string' ? id.slice(0, 200) : type,
      );
    }
    const message = parsed.data;
    if (message.type === 'ping') {
      return this.send({ type: 'pong', ...(message.id ? { id: message.id } : {}), at: this.ctx.clock.now() });
    }
    if (message.type === 'hello') return this.onHello(message);
    const session = this.session;
    if (!session) return this.error('GL_PROTOCOL_NOT_STARTED', undefined, message.type);
    const receivedAt = this.ctx.clock.now();
    // Inputs are applied now, in arrival order, and not awaited: the next frame is applied while this
    // one's outputs are being made durable (the session delivers every input's outputs in order).
    switch (message.type) {
      case 'transcript':
        session
          .submit({
            type: 'transcript',
            speaker: message.speaker,
            text: message.text,
            isFinal: message.isFinal,
            confidence: message.confidence,
          })
          .catch(this.failed);
        return;
      case 'event':
        session.submit({ type: 'event', event: message.event }).catch(this.failed);
        return;
      case 'propose': {
        const proposal = {
          id: message.id,
          sessionId: session.id,
          kind: message.kind,
          params: message.params,
          ...(message.override ? { override: message.override } : {}),
        };
        session.submit({ type: 'propose', proposal }, receivedAt).catch((e) => {
          // A refused proposal (GL_SESSION_ENDED, GL_SUSPENDED) is answered after the outputs of
          // the inputs before it, as when each frame waited for the one before.
          if (isGuardlineError(e)) void session.drain().then(() => this.sendError(e, message.id));
          else this.internal(e);
        });
        return;
      }
    }
  }

  private async onHello(hello: Hello): Promise<void> {
    if (this.state !== 'awaiting_hello') return this.error('GL_PROTOCOL_ALREADY_STARTED', undefined, 'hello');
    const s = hello.session;
    if (!this.identity.roles.includes(s.role)) {
      return this.error(
        'GL_AUTH_SCOPE',
        `The token allows roles ${this.identity.roles.join(', ')}, not ${s.role}.`,
        'hello',
      );
    }
    const meta = SessionMeta.safeParse({
      ...s,
      sessionId: s.sessionId ?? s.callId,
      agentId: this.identity.agentId,
      tenantId: this.identity.tenantId,
    });
    if (!meta.success) {
      const issues = meta.error.issues.map((i) => `session.${i.path.join('.')}: ${i.message}`);
      return this.error('GL_PROTOCOL_INVALID_MESSAGE', `In "hello": ${issues.join('; ')}.`, 'hello');
    }
    const registry = this.ctx.registry;
    if (!registry || this.ctx.shuttingDown) return this.error('GL_SERVER_SHUTTING_DOWN', undefined, 'hello');
    this.state = 'opening';
    try {
      const existing = registry.get(meta.data.sessionId);
      let attached = false;
      if (existing) {
        const m = existing.meta;
        if (
          existing.agent ||
          existing.ended ||
          m.agentId !== meta.data.agentId ||
          m.tenantId !== meta.data.tenantId ||
          m.role !== meta.data.role
        ) {
          throw new GuardlineError(
            'GL_SESSION_CONFLICT',
            `Session ${meta.data.sessionId} is live with another agent, tenant or role.`,
          );
        }
        attached = true;
        this.adopt(existing, true);
      } else {
        await registry.open(meta.data, 'agent', (session) => this.adopt(session, false));
      }
      if (hello.audio && this.session && !this.ctx.transcribers)
        this.error('GL_PROTOCOL_AUDIO_UNEXPECTED', 'No transcriber is configured.', 'hello');
      else if (hello.audio && this.session && !attached) {
        const transcriber = this.ctx.transcribers?.(hello.audio);
        if (transcriber)
          this.audio = bridgeTranscriber(this.session, transcriber, this.ctx.metrics, this.ctx.clock.now(), () =>
            this.ctx.clock.now(),
          );
      }
      // The socket closed while the session was opening: the session must not stay live without its agent.
      if (this.closed) this.detach();
    } catch (e) {
      this.state = 'awaiting_hello';
      if (isGuardlineError(e)) return this.sendError(e, 'hello');
      throw e;
    }
  }

  /** Becomes the session's agent and says `ready` before any of the session's outputs. */
  private adopt(session: LiveSession, attached: boolean): void {
    this.session = session;
    this.state = 'live';
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    session.agent = this;
    this.log = session.logger.child({ agentId: this.agentId });
    this.send({
      type: 'ready',
      protocol: PROTOCOL_VERSION,
      sessionId: session.id,
      policyVersion: session.guarded.policy.version,
      attached,
      maxFrameBytes: this.ctx.config.maxFrameBytes,
    });
  }

  private onAudio(chunk: Buffer): void {
    if (!this.session) this.error('GL_PROTOCOL_NOT_STARTED', 'Audio arrived before `hello`.', 'audio');
    else if (!this.audio) this.error('GL_PROTOCOL_AUDIO_UNEXPECTED', undefined, 'audio');
    else this.audio.send(chunk);
  }

  private onClose(): void {
    this.closed = true;
    this.ctx.sockets.delete(this.socket);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.detach();
  }

  /** Stops the audio and leaves the session; a session without a stream then ends (`call_ended`). */
  private detach(): void {
    const session = this.session;
    void this.audio?.close().catch(() => {});
    this.audio = null;
    if (!session || session.agent !== this) return;
    session.agent = null;
    // An agent-protocol session cannot go on without its agent; a Twilio call carries on (its stream decides).
    if (!session.stream && !session.ended && !this.ctx.shuttingDown) {
      session.submit({ type: 'event', event: 'call_ended' }).catch(() => {});
    }
  }
}
