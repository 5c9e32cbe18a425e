import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  checkTwilioMediaFormat,
  completeTwilioCall,
  decodeTwilioPayload,
  parseTwilioMessage,
  sessionMetaFromTwilioStart,
  type TwilioInboundMessage,
  type TwilioStart,
  twilioClear,
  twilioMark,
  twilioMedia,
} from '../../telephony/twilio/index.ts';
import {
  mulawSilence,
  mulawToLinear,
  mulawTone,
  playTwilioCall,
  startFakeTwilioRest,
  TwilioMediaStreamClient,
} from '../fakes/twilio/index.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const PARAMS = {
  direction: 'outbound',
  role: 'booking',
  jurisdiction: 'ca',
  timezone: 'America/Los_Angeles',
  agentId: 'agent-1',
  tenantId: 'tenant-1',
  contactId: '501',
  token: 'opaque',
};

/** A ws server that parses everything the fake Twilio client sends with the real parser. */
async function recordingServer(onConnection?: (ws: WebSocket) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const parsed: TwilioInboundMessage[] = [];
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const result = parseTwilioMessage(data as Buffer);
      if (!result.ok) throw result.error;
      parsed.push(result.message);
    });
    onConnection?.(ws);
  });
  cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, parsed };
}

describe('fake Twilio Media Streams client + parser', () => {
  it('plays a call as Twilio does: connected, start, 160-byte frames in order, dtmf, stop', async () => {
    const server = await recordingServer();
    const client = await playTwilioCall(server.url, [{ toneMs: 300 }, { dtmf: '5' }, { silenceMs: 100 }], {
      customParameters: PARAMS,
      speed: 10,
    });
    const events = server.parsed.map((m) => m.event);
    expect(events[0]).toBe('connected');
    expect(events[1]).toBe('start');
    expect(events.at(-1)).toBe('stop');
    const media = server.parsed.filter((m) => m.event === 'media');
    expect(media).toHaveLength(20);
    for (const [i, m] of media.entries()) {
      expect(decodeTwilioPayload(m.media.payload)).toHaveLength(160);
      expect(m.media).toMatchObject({ track: 'inbound', chunk: String(i + 1), timestamp: String(i * 20) });
    }
    const sequence = server.parsed.filter((m) => m.event !== 'connected').map((m) => Number(m.sequenceNumber));
    expect(sequence).toEqual(sequence.map((_, i) => i + 1));
    expect(server.parsed.find((m) => m.event === 'dtmf')).toMatchObject({
      dtmf: { digit: '5', track: 'inbound_track' },
    });
    expect(client.framesSent).toBe(20);
    const start = server.parsed[1] as TwilioStart;
    expect(checkTwilioMediaFormat(start.start.mediaFormat)).toBeNull();
  });

  it('echoes marks back and records clear from the server', async () => {
    const server = await recordingServer((ws) => {
      ws.on('message', (data) => {
        const result = parseTwilioMessage(data as Buffer);
        if (result.ok && result.message.event === 'start') {
          ws.send(twilioMark(result.message.streamSid, 'greeting-end'));
          ws.send(twilioClear(result.message.streamSid));
        }
      });
    });
    const client = new TwilioMediaStreamClient(server.url, { speed: Number.POSITIVE_INFINITY });
    await client.open();
    while (client.receivedOf('clear').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await client.play([{ silenceMs: 100 }]);
    client.sendStop();
    await client.close();
    expect(client.receivedOf('mark')).toHaveLength(1);
    expect(server.parsed.find((m) => m.event === 'mark')).toMatchObject({ mark: { name: 'greeting-end' } });
  });

  it('gives typed errors for malformed and unknown messages', () => {
    const cases: [string, string][] = [
      ['not json', 'GL_TWILIO_MESSAGE_INVALID'],
      ['[1,2]', 'GL_TWILIO_MESSAGE_INVALID'],
      ['{"event":"hangup"}', 'GL_TWILIO_MESSAGE_UNKNOWN'],
      ['{"streamSid":"MZ1"}', 'GL_TWILIO_MESSAGE_UNKNOWN'],
      ['{"event":"media","sequenceNumber":"3","streamSid":"MZ1"}', 'GL_TWILIO_MESSAGE_INVALID'],
      [
        '{"event":"media","sequenceNumber":"3","streamSid":"MZ1","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"%%%"}}',
        'GL_TWILIO_MESSAGE_INVALID',
      ],
      [
        '{"event":"dtmf","sequenceNumber":"x","streamSid":"MZ1","dtmf":{"track":"inbound_track","digit":"1"}}',
        'GL_TWILIO_MESSAGE_INVALID',
      ],
      [JSON.stringify({ event: 'media', pad: 'x'.repeat(70_000) }), 'GL_TWILIO_MESSAGE_TOO_LARGE'],
    ];
    for (const [raw, code] of cases) {
      const result = parseTwilioMessage(raw);
      expect(result.ok, raw.slice(0, 60)).toBe(false);
      if (!result.ok) expect(result.error.code).toBe(code);
    }
    const invalid = parseTwilioMessage('{"event":"stop","sequenceNumber":"9","streamSid":"MZ1"}');
    expect(invalid.ok === false && invalid.error.details).toMatchObject({ event: 'stop', issues: [{ path: 'stop' }] });
  });

  it('rejects a media format other than μ-law 8 kHz mono', () => {
    expect(checkTwilioMediaFormat({ encoding: 'audio/x-l16', sampleRate: 16000, channels: 1 })?.code).toBe(
      'GL_TWILIO_MEDIA_FORMAT_UNSUPPORTED',
    );
  });

  it('serialises outbound media and rejects invalid outbound messages', () => {
    expect(JSON.parse(twilioMedia('MZ1', mulawSilence(20)))).toEqual({
      event: 'media',
      streamSid: 'MZ1',
      media: { payload: mulawSilence(20).toString('base64') },
    });
    expect(() => twilioMark('MZ1', '')).toThrow();
  });
});

function startMessage(customParameters: Record<string, string>): TwilioStart {
  return {
    event: 'start',
    sequenceNumber: '1',
    streamSid: 'MZ1',
    start: {
      streamSid: 'MZ1',
      accountSid: 'AC1',
      callSid: 'CA1',
      tracks: ['inbound'],
      customParameters,
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
  };
}

describe('customParameters → SessionMeta', () => {
  it('maps the parameters, uses the call SID as call id and default session id, keeps extras', () => {
    const session = sessionMetaFromTwilioStart(startMessage(PARAMS));
    expect(session.meta).toEqual({
      sessionId: 'CA1',
      callId: 'CA1',
      channel: 'voice',
      direction: 'outbound',
      role: 'booking',
      jurisdiction: 'CA',
      timezone: 'America/Los_Angeles',
      agentId: 'agent-1',
      tenantId: 'tenant-1',
      contactId: '501',
    });
    expect(session.extraParameters).toEqual({ token: 'opaque' });
  });

  it('lists every missing or invalid parameter in one typed error', () => {
    const { role: _role, timezone: _tz, ...rest } = PARAMS;
    try {
      sessionMetaFromTwilioStart(startMessage({ ...rest, direction: 'sideways' }));
      expect.unreachable();
    } catch (err) {
      const error = err as { code: string; details: { issues: { parameter: string }[] } };
      expect(error.code).toBe('GL_TWILIO_PARAMETERS_INVALID');
      expect(error.details.issues.map((i) => i.parameter).sort()).toEqual(['direction', 'role', 'timezone']);
    }
  });
});

describe('completeTwilioCall against the fake Twilio REST API', () => {
  const creds = { accountSid: 'AC123', authToken: 'secret' };

  it('completes the call and the fake records it', async () => {
    const rest = await startFakeTwilioRest({ ...creds, knownCalls: ['CA9'] });
    cleanups.push(() => rest.close());
    const result = await completeTwilioCall({ ...creds, baseUrl: rest.baseUrl }, 'CA9');
    expect(result).toMatchObject({ callSid: 'CA9', status: 'completed', httpStatus: 200 });
    expect(rest.completions).toMatchObject([{ accountSid: 'AC123', callSid: 'CA9', status: 'completed' }]);
  });

  it('wrong credentials, unknown calls and server errors are typed GL_TWILIO_REST_FAILED', async () => {
    const rest = await startFakeTwilioRest({ ...creds, knownCalls: ['CA9'] });
    cleanups.push(() => rest.close());
    const base = { ...creds, baseUrl: rest.baseUrl };
    await expect(completeTwilioCall({ ...base, authToken: 'nope' }, 'CA9')).rejects.toMatchObject({
      code: 'GL_TWILIO_REST_FAILED',
      details: { httpStatus: 401, twilioCode: 20003 },
    });
    await expect(completeTwilioCall(base, 'CA404')).rejects.toMatchObject({
      details: { httpStatus: 404, twilioCode: 20404 },
    });
    rest.failNext(500);
    await expect(completeTwilioCall(base, 'CA9')).rejects.toMatchObject({ details: { httpStatus: 500 } });
    expect(rest.completions).toHaveLength(0);
  });
});

describe('μ-law generator', () => {
  it('makes 8 bytes per ms; silence decodes to 0 and a tone is not silent', () => {
    expect(mulawSilence(20)).toHaveLength(160);
    expect([...mulawSilence(20)].every((b) => mulawToLinear(b) === 0)).toBe(true);
    const tone = mulawTone(20, 1000, 0.5);
    expect(Math.max(...[...tone].map((b) => Math.abs(mulawToLinear(b))))).toBeGreaterThan(10_000);
  });
});
