import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuardlineError } from '../src/errors/index.ts';
import { verifyHubSpotRequest } from '../src/hubspot-card/index.ts';
import { createHubSpotFetchProxy, signHubSpotRequest, withHubSpotIdentity } from './fakes/hubspot-signer.ts';

/**
 * The card side of the card ⇄ backend contract: requests signed by the fake HubSpot proxy exactly as
 * HubSpot documents are accepted by Guardline's verification, and altered ones are refused. The server
 * here runs only `verifyHubSpotRequest`; the full-route contract test against the real backend lives
 * with the server.
 */
const SECRET = 'app-client-secret';
let server: Server;
let baseUrl = '';
const seen: { status: number; identity?: unknown }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const identity = verifyHubSpotRequest(
          {
            method: req.method ?? 'GET',
            url: `${baseUrl}${req.url}`,
            headers: req.headers,
            rawBody: Buffer.concat(chunks).toString('utf8'),
          },
          SECRET,
          Date.now(),
        );
        seen.push({ status: 200, identity });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(identity));
      } catch (err) {
        const status = err instanceof GuardlineError ? err.status : 500;
        seen.push({ status });
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const caller = { userId: 42, portalId: 7, userEmail: 'o’brien+rep@acme.com', appId: 99 };

describe('fake hubspot.fetch proxy', () => {
  it('signs exactly like the HubSpot SDK vector', () => {
    const headers = signHubSpotRequest({
      method: 'POST',
      url: 'https://www.example.com/webhook_uri',
      body: "{'example_field':'example_value'}",
      clientSecret: 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy',
      timestamp: 1693657560000,
    });
    expect(headers['X-HubSpot-Signature-v3']).toBe('K36dawei4A+QBNolUOqo7s91KQDWQ5MXZ/QufNYuk/Y=');
  });

  it('produces GET and POST requests that Guardline accepts, with the signed identity', async () => {
    const proxy = createHubSpotFetchProxy({ clientSecret: SECRET, caller });
    const get = await proxy.fetch(`${baseUrl}/v1/hubspot/sessions?objectType=deal&objectId=12`);
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ userId: '42', portalId: '7', userEmail: 'o’brien+rep@acme.com', appId: '99' });
    const post = await proxy.fetch(`${baseUrl}/v1/hubspot/approvals/a%2F1/approve`, {
      method: 'POST',
      body: { reason: 'Fine — “approved” (50%)' },
    });
    expect(post.status).toBe(200);
  });

  it('is refused when the request is altered, replayed late, or signed with another secret', async () => {
    const url = withHubSpotIdentity(`${baseUrl}/v1/hubspot/approvals/a1/approve`, caller);
    const body = '{"reason":"ok to approve"}';
    const headers = signHubSpotRequest({ method: 'POST', url, body, clientSecret: SECRET, timestamp: Date.now() });
    const send = (u: string, b: string, h: Record<string, string>, method = 'POST') =>
      fetch(u, {
        method,
        headers: { ...h, 'Content-Type': 'application/json' },
        ...(method === 'GET' ? {} : { body: b }),
      });

    expect((await send(url, body, headers)).status).toBe(200);
    expect((await send(url, '{"reason":"ok to approve!"}', headers)).status).toBe(401);
    expect((await send(url.replace('userId=42', 'userId=43'), body, headers)).status).toBe(401);
    expect((await send(url.replace('/approve', '/deny'), body, headers)).status).toBe(401);
    expect((await send(`${url}&userId=1`, body, headers)).status).toBe(401);
    const stale = signHubSpotRequest({
      method: 'POST',
      url,
      body,
      clientSecret: SECRET,
      timestamp: Date.now() - 301_000,
    });
    expect((await send(url, body, stale)).status).toBe(401);
    const foreign = signHubSpotRequest({ method: 'POST', url, body, clientSecret: 'x', timestamp: Date.now() });
    expect((await send(url, body, foreign)).status).toBe(401);
    expect((await send(url, body, {})).status).toBe(401);
    const unsignedIdentity = `${baseUrl}/v1/hubspot/policy`;
    const bare = signHubSpotRequest({
      method: 'GET',
      url: unsignedIdentity,
      body: '',
      clientSecret: SECRET,
      timestamp: Date.now(),
    });
    expect((await send(unsignedIdentity, '', bare, 'GET')).status).toBe(401);
  });

  it('enforces hubspot.fetch limits: no custom headers, at most 1 MB of body', async () => {
    const proxy = createHubSpotFetchProxy({ clientSecret: SECRET, caller });
    await expect(proxy.fetch(`${baseUrl}/x`, { headers: { Authorization: 'x' } })).rejects.toThrow(/custom headers/);
    await expect(
      proxy.fetch(`${baseUrl}/x`, { method: 'POST', body: { reason: 'x'.repeat(1024 * 1024) } }),
    ).rejects.toThrow(/1MB/);
  });
});
