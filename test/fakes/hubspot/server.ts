import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan } from './faults.ts';
import { DEFAULT_LIMITS, type FakeLimits, PortalRateLimiter, rateLimitBody } from './rate-limit.ts';
import {
  archiveObject,
  associateDefault,
  createObject,
  hubspotError,
  type RouteResult,
  readObject,
  searchObjects,
  updateObject,
} from './routes.ts';
import { type AppliedWrite, FakePortalState } from './state.ts';

export interface FakeHubspotOptions {
  /** The private-app token the fake accepts (`Authorization: Bearer <token>`). */
  token?: string;
  limits?: Partial<FakeLimits>;
  /** Custom properties the portal defines, per object type (e.g. `guardline_write_id` on `calls`). */
  extraProperties?: Record<string, readonly string[]>;
  port?: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  at: number;
  /** Why it was answered the way it was: a route, a fault, or the portal's own rate limit. */
  cause: 'route' | 'fault' | 'rate_limit' | 'auth';
}

export interface FakeHubspot {
  url: string;
  token: string;
  state: FakePortalState;
  faults: FaultPlan;
  requests: RequestLogEntry[];
  /** Called synchronously after a write is applied and before the answer is sent. */
  onApplied(listener: (write: AppliedWrite) => void): () => void;
  /** 429s the portal's own limits produced (not injected faults). */
  organic429(): number;
  close(): Promise<void>;
}

const OBJECT = /^\/crm\/v3\/objects\/([a-z_]+)$/;
const OBJECT_ID = /^\/crm\/v3\/objects\/([a-z_]+)\/([^/]+)$/;
const SEARCH = /^\/crm\/v3\/objects\/([a-z_]+)\/search$/;
const ASSOC = /^\/crm\/v4\/objects\/([a-z_]+)\/([^/]+)\/associations\/default\/([a-z_]+)\/([^/]+)$/;

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Starts a fake HubSpot API on 127.0.0.1 (ephemeral port unless `port` is given). */
export async function startFakeHubspot(options: FakeHubspotOptions = {}): Promise<FakeHubspot> {
  const token = options.token ?? 'pat-na1-fake-token';
  const events = new EventEmitter();
  const state = new FakePortalState(options.extraProperties, (w) => events.emit('applied', w));
  const limiter = new PortalRateLimiter({ ...DEFAULT_LIMITS, ...options.limits });
  const faults = new FaultPlan();
  const requests: RequestLogEntry[] = [];

  function route(method: string, path: string, url: URL, body: unknown, cid: string): RouteResult {
    let m = SEARCH.exec(path);
    if (m && method === 'POST') return searchObjects(state, m[1] as string, body, cid);
    m = ASSOC.exec(path);
    if (m && method === 'PUT')
      return associateDefault(state, m[1] as string, m[2] as string, m[3] as string, m[4] as string);
    m = OBJECT.exec(path);
    if (m && method === 'POST') {
      if (!state.knowsType(m[1] as string))
        return hubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${m[1]}`, cid);
      return createObject(state, m[1] as string, body, cid);
    }
    m = OBJECT_ID.exec(path);
    if (m) {
      const [type, id] = [m[1] as string, decodeURIComponent(m[2] as string)];
      if (method === 'GET') {
        const props = url.searchParams
          .getAll('properties')
          .flatMap((p) => p.split(','))
          .filter(Boolean);
        return readObject(state, type, id, props, cid);
      }
      if (method === 'PATCH') return updateObject(state, type, id, body, cid);
      if (method === 'DELETE') return archiveObject(state, type, id, cid);
    }
    return hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`, cid);
  }

  function send(res: ServerResponse, result: RouteResult, headers: Record<string, string>): void {
    if (res.destroyed) return;
    res.writeHead(result.status, {
      ...headers,
      ...(result.body === undefined ? {} : { 'Content-Type': 'application/json;charset=utf-8' }),
    });
    res.end(result.body === undefined ? undefined : JSON.stringify(result.body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const cid = randomUUID();
    const now = Date.now();
    const log = (status: number, cause: RequestLogEntry['cause']) =>
      requests.push({ method, path, status, at: Date.now(), cause });
    const base = { 'X-HubSpot-Correlation-Id': cid };
    const parsed = await readJson(req);

    if (req.headers.authorization !== `Bearer ${token}`) {
      log(401, 'auth');
      const message = 'Authentication credentials not found. This API supports OAuth 2.0 authentication.';
      return send(res, hubspotError(401, 'INVALID_AUTHENTICATION', message, cid), base);
    }
    const fault = faults.take(method, path);
    if (fault?.kind === 'rate_limit') {
      log(429, 'fault');
      return send(res, { status: 429, body: rateLimitBody(fault.policy, cid) }, { ...base, ...limiter.headers(now) });
    }
    if (fault?.kind === 'status') {
      log(fault.status, 'fault');
      if (fault.status === 502) {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      }
      return send(res, hubspotError(fault.status, 'INTERNAL_ERROR', 'internal error', cid), base);
    }
    if (fault?.kind === 'reset' && !fault.apply) {
      log(0, 'fault');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow' && !fault.apply) {
      log(504, 'fault');
      setTimeout(() => send(res, hubspotError(504, 'INTERNAL_ERROR', 'gateway timeout', cid), base), fault.ms);
      return;
    }
    const isSearch = SEARCH.test(path);
    const broken = limiter.admit(now, isSearch);
    if (broken) {
      log(429, 'rate_limit');
      return send(res, { status: 429, body: rateLimitBody(broken, cid) }, { ...base, ...limiter.headers(now) });
    }
    const result = parsed.ok
      ? route(method, path, url, parsed.value, cid)
      : hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON on line 1', cid);
    const headers = isSearch ? base : { ...base, ...limiter.headers(Date.now()) };
    if (fault?.kind === 'reset') {
      log(0, 'fault');
      req.socket.destroy();
      return;
    }
    log(result.status, fault ? 'fault' : 'route');
    if (fault?.kind === 'slow') {
      setTimeout(() => send(res, result, headers), fault.ms);
      return;
    }
    send(res, result, headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', message: String(e), category: 'INTERNAL_ERROR' }));
      }
    });
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    state,
    faults,
    requests,
    onApplied(listener) {
      events.on('applied', listener);
      return () => events.off('applied', listener);
    },
    organic429: () => requests.filter((r) => r.cause === 'rate_limit').length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
