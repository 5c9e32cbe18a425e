import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake of Twilio's REST API on 127.0.0.1 for the one call Guardline makes: updating a Call to
 * `Status=completed`. Checks HTTP basic auth (401 + Twilio error 20003 otherwise), answers unknown
 * calls with 404 / 20404 when `knownCalls` is set, and records every completion.
 */
export interface FakeTwilioRestOptions {
  accountSid: string;
  authToken: string;
  /** When set, other call SIDs get 404. */
  knownCalls?: string[];
}

export interface RecordedCompletion {
  accountSid: string;
  callSid: string;
  status: string;
  at: number;
}

export interface FakeTwilioRest {
  baseUrl: string;
  completions: RecordedCompletion[];
  /** Requests seen (method and path), accepted or not. */
  requests: { method: string; path: string; status: number }[];
  /** The next `count` requests fail with this HTTP status (Twilio error 20500 body). */
  failNext(httpStatus: number, count?: number): void;
  close(): Promise<void>;
}

const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;

function twilioError(res: ServerResponse, status: number, code: number, message: string): number {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  return status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTwilioRest(options: FakeTwilioRestOptions): Promise<FakeTwilioRest> {
  const completions: RecordedCompletion[] = [];
  const requests: FakeTwilioRest['requests'] = [];
  const failures: number[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = await readBody(req);
    const failure = failures.shift();
    if (failure !== undefined) return twilioError(res, failure, 20500, 'Internal Server Error');
    const match = CALL_PATH.exec(path);
    if (!match || req.method !== 'POST') return twilioError(res, 404, 20404, 'The requested resource was not found');
    if (req.headers.authorization !== expectedAuth) return twilioError(res, 401, 20003, 'Authenticate');
    const accountSid = decodeURIComponent(match[1] as string);
    const callSid = decodeURIComponent(match[2] as string);
    if (accountSid !== options.accountSid) return twilioError(res, 401, 20003, 'Authenticate');
    if (options.knownCalls && !options.knownCalls.includes(callSid)) {
      return twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
    }
    const status = new URLSearchParams(body).get('Status');
    if (status !== 'completed' && status !== 'canceled') {
      return twilioError(res, 400, 21218, 'Invalid Status');
    }
    completions.push({ accountSid, callSid, status, at: Date.now() });
    const now = new Date().toUTCString();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        sid: callSid,
        account_sid: accountSid,
        api_version: '2010-04-01',
        status,
        date_updated: now,
        end_time: now,
        uri: `/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`,
      }),
    );
    return 200;
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => requests.push({ method: req.method ?? '', path: req.url ?? '', status }),
      () => {
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    completions,
    requests,
    failNext(httpStatus, count = 1) {
      for (let i = 0; i < count; i++) failures.push(httpStatus);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
