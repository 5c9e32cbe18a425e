import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { TwilioStart } from '../../telephony/twilio/messages.ts';
import {
  checkTwilioMediaFormat,
  decodeTwilioPayload,
  parseTwilioMessage,
  twilioClear,
} from '../../telephony/twilio/parse.ts';
import { sessionMetaFromTwilioStart } from '../../telephony/twilio/session-meta.ts';
import type { Identity } from '../auth/index.ts';
import { CLOSE_CODES } from '../client/protocol.ts';
import { GuardlineError, isGuardlineError } from '../errors/index.ts';
import type { SessionMeta } from '../model/index.ts';
import type { LiveSession } from '../runtime/live-session.ts';
import type { StreamPort } from '../runtime/ports.ts';
import { bridgeTranscriber } from '../runtime/transcription.ts';
import type { GuardlineContext } from './context.ts';

const raw = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? Buffer.from(data) : data;

/**
 * One Twilio Media Stream (`/v1/telephony/twilio`). Session metadata comes from the stream's
 * `customParameters`; the agent token from `?token=` or a `token` parameter. The caller's
 * (inbound) audio goes to the transcriber; `clear` cuts the agent's audio when a directive
 * demands it. Twilio cannot read errors: bad frames are counted, logged and ignored.
 */
export class TwilioConnection implements StreamPort {
  callSid = '';
  readonly bidirectional = true;
  private streamSid = '';
  private session: LiveSession | null = null;
  private audio: { send(chunk: Buffer): boolean; close(): Promise<void> } | null = null;
  /** The frames still being handled, in order, once one needs async work (`start` opening the session). */
  private inbox: Promise<void> = Promise.resolve();
  /** How many frames are in `inbox`; while 0, a frame is handled at once, without a promise per frame. */
  private queued = 0;
  private stopped = false;
  private closed = false;
  private log: Logger;

  constructor(
    private readonly socket: WebSocket,
    private readonly identity: Identity | undefined,
    private readonly ctx: GuardlineContext,
  ) {
    this.log = ctx.logger.child({ transport: 'twilio' });
    ctx.sockets.add(socket);
    socket.on('message', (data) => this.onMessage(raw(data)));
    socket.on('close', () => this.onClose());
    socket.on('error', (e) => {
      ctx.metrics.wsErrors.inc({ code: 'socket' });
      this.log.warn({ err: e }, 'twilio socket error');
    });
  }

  clear(): void {
    if (this.streamSid && this.socket.readyState === this.socket.OPEN) this.socket.send(twilioClear(this.streamSid));
  }

  close(reason: string, code: number = CLOSE_CODES.normal): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
  }

  private reject(e: GuardlineError): void {
    this.ctx.metrics.wsErrors.inc({ code: e.code });
    this.log.warn({ code: e.code, detail: e.message }, 'twilio message rejected');
  }

  /** Frames are handled one after another, in arrival order (media after `start` waits for the session). */
  private onMessage(frame: Buffer): void {
    const pending = this.queued > 0 ? this.inbox.then(() => this.handle(frame)) : this.handle(frame);
    if (!pending) return;
    this.queued += 1;
    this.inbox = pending.finally(() => {
      this.queued -= 1;
    });
  }

  /** Handles one frame; returns a promise (that never rejects) only when the frame needs async work. */
  private handle(frame: Buffer): Promise<void> | undefined {
    try {
      return this.onFrame(frame)?.catch(this.frameFailed);
    } catch (e) {
      this.frameFailed(e);
      return undefined;
    }
  }

  private readonly frameFailed = (e: unknown): void => {
    this.log.error({ err: e }, 'twilio frame handling failed');
  };

  private onFrame(frame: Buffer): Promise<void> | undefined {
    const parsed = parseTwilioMessage(frame);
    if (!parsed.ok) {
      this.reject(parsed.error);
      return;
    }
    const m = parsed.message;
    switch (m.event) {
      case 'start':
        return this.onStart(m);
      case 'media':
        if (m.media.track === 'inbound' && this.audio) this.audio.send(decodeTwilioPayload(m.media.payload));
        return;
      case 'stop':
        this.onStop();
        return;
      default:
        return;
    }
  }

  private async authorize(meta: SessionMeta, extra: Record<string, string>): Promise<void> {
    let identity = this.identity;
    if (!identity) {
      const token = extra.token;
      if (!token)
        throw new GuardlineError('GL_AUTH_MISSING', 'Give `?token=` on the stream URL or a `token` <Parameter>.');
      identity = await this.ctx.verifier.verify(token, this.ctx.clock.now());
    }
    if (identity.kind !== 'agent') throw new GuardlineError('GL_AUTH_SCOPE', 'A user token cannot open a call.');
    if (
      identity.agentId !== meta.agentId ||
      identity.tenantId !== meta.tenantId ||
      !identity.roles.includes(meta.role)
    ) {
      throw new GuardlineError(
        'GL_AUTH_SCOPE',
        'The stream names another agent, tenant or role than the token allows.',
      );
    }
  }

  private async onStart(start: TwilioStart): Promise<void> {
    if (this.session)
      return this.reject(new GuardlineError('GL_TWILIO_MESSAGE_INVALID', 'A second `start` was ignored.'));
    // Opening a session here would count a call against the budgets only to end it at once.
    if (this.stopped)
      return this.reject(
        new GuardlineError('GL_TWILIO_MESSAGE_INVALID', 'A `start` after `stop` was ignored: the stream had ended.'),
      );
    const formatError = checkTwilioMediaFormat(start.start.mediaFormat);
    if (formatError) {
      this.reject(formatError);
      return this.close('unsupported media format', 1003);
    }
    let meta: SessionMeta;
    try {
      const started = sessionMetaFromTwilioStart(start);
      meta = started.meta;
      this.callSid = started.callSid;
      this.streamSid = started.streamSid;
      await this.authorize(meta, started.extraParameters);
    } catch (e) {
      const error = isGuardlineError(e) ? e : new GuardlineError('GL_AUTH_INVALID');
      this.reject(error);
      return this.close(error.code, error.code.startsWith('GL_AUTH') ? CLOSE_CODES.unauthorized : 1008);
    }
    const registry = this.ctx.registry;
    if (!registry || this.ctx.shuttingDown) return this.close('shutting down', CLOSE_CODES.goingAway);
    this.log = this.ctx.logger.child({ sessionId: meta.sessionId, callId: meta.callId, transport: 'twilio' });
    try {
      const existing = registry.get(meta.sessionId);
      if (existing) {
        const m = existing.meta;
        if (
          existing.stream ||
          existing.ended ||
          m.agentId !== meta.agentId ||
          m.tenantId !== meta.tenantId ||
          m.callId !== meta.callId
        ) {
          throw new GuardlineError(
            'GL_SESSION_CONFLICT',
            `Session ${meta.sessionId} is live with another stream or call.`,
          );
        }
        this.adopt(existing);
      } else {
        await registry.open(meta, 'twilio', (s) => this.adopt(s));
      }
      // The stream stopped or its socket closed while the session was opening: end the call now.
      if (this.stopped) this.endCall();
      if (this.closed) this.leaveSession();
    } catch (e) {
      const error = isGuardlineError(e) ? e : new GuardlineError('GL_GATE_INTERNAL');
      this.reject(error);
      return this.close(error.code, 1008);
    }
  }

  private adopt(session: LiveSession): void {
    this.session = session;
    session.stream = this;
    const factory = this.ctx.transcribers;
    if (!factory) {
      this.log.warn('no transcription service is configured: the call fails closed after the grace period');
      session.submit({ type: 'event', event: 'transcription_lost' }).catch(() => {});
      return;
    }
    const now = () => this.ctx.clock.now();
    this.audio = bridgeTranscriber(
      session,
      factory({ encoding: 'mulaw', sampleRate: 8000 }),
      this.ctx.metrics,
      now(),
      now,
    );
  }

  private onStop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.endCall();
  }

  /**
   * Stops the audio and ends the session this stream carries (`call_ended`), once the call's last
   * words are transcribed: the transcriber's close flushes them (bounded by its close and connect
   * timeouts), and an opt-out said just before hanging up must still reach the session.
   */
  private endCall(): void {
    const session = this.session;
    const ours = session !== null && session.stream === this;
    const flushed = this.audio ? this.audio.close().catch(() => {}) : Promise.resolve();
    this.audio = null;
    if (!session || !ours) return;
    void flushed.then(() => {
      // Unless another stream took the session over meanwhile.
      if (session.ended || (session.stream !== null && session.stream !== this)) return;
      session.submit({ type: 'event', event: 'call_ended' }).catch(() => {});
    });
  }

  private onClose(): void {
    this.closed = true;
    this.ctx.sockets.delete(this.socket);
    if (!this.ctx.shuttingDown) this.onStop();
    else void this.audio?.close().catch(() => {});
    this.leaveSession();
  }

  private leaveSession(): void {
    if (this.session?.stream === this) this.session.stream = null;
  }
}
