/**
 * Contract test (issue 7): the card's own API client (crm-extension/src/app/cards/lib/guardline-api.ts),
 * its requests signed as HubSpot signs them (test/fakes/hubspot-signer.ts, independent of
 * src/hubspot-card), against the real backend routes of a real Guardline server. Altered, stale and
 * unsigned requests are refused with 401 GL_AUTH_SIGNATURE. The kill switch: a manager suspends the
 * live call’s agent from the card (hold or end_call reaches the agent), retries are idempotent, lift resumes.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import type { Guardline } from '../src/server/guardline.ts';
import { type CardServer, CLIENT_SECRET, failure, startCardServer } from './card-harness.ts';
import { signHubSpotRequest, withHubSpotIdentity } from './fakes/hubspot-signer.ts';
import { disclosureText, helloSession, SECRET } from './server-harness.ts';

const REP = 1001;
const APPROVER = 2002;
const APPROVER_2 = 2003;
const MANAGER = 3003;
const PORTAL = 9;

let server: CardServer;
let gl: Guardline;
let base: string;
beforeAll(async () => {
  server = await startCardServer({
    roles: { approver: [String(APPROVER), String(APPROVER_2)], manager: [String(MANAGER)] },
  });
  gl = server.gl;
  base = server.base;
});
afterAll(async () => server?.close());

const cardAs = (userId: number) => server.cardAs(userId, PORTAL);

let contact = 500;
/** A live call on a fresh contact with one allowed say and one concession held for approval. */
async function liveCallWithHeldConcession() {
  contact += 1;
  const contactId = String(contact);
  const token = await mintToken(
    SECRET,
    { kind: 'agent', agentId: 'agent-7', tenantId: 'acme', roles: ['closing'] },
    { ttlSeconds: 600 },
  );
  const agent = await GuardlineAgent.connect({ url: gl.url, token, session: helloSession({ contactId }) });
  expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  const held = await agent.propose('concession', { type: 'percent_off', value: 20 }, { id: 'p-held' });
  expect(held.outcome).toBe('needs_approval');
  return { agent, contactId, approvalId: held.approval?.id as string };
}

describe('the card, signed by HubSpot, against the real backend', () => {
  it('shows a rep the record’s sessions, decisions and approvals, and refuses the rep’s approve (403 GL_AUTH_ROLE)', async () => {
    const { agent, contactId, approvalId } = await liveCallWithHeldConcession();
    const rep = cardAs(REP);
    const view = await rep.sessions('contact', contactId);
    expect(view.viewer).toEqual({ userId: String(REP), role: 'rep' });
    expect(view.sessions).toHaveLength(1);
    expect(view.sessions[0]).toMatchObject({
      id: agent.sessionId,
      status: 'live',
      role: 'closing',
      agentId: 'agent-7',
    });
    expect(view.sessions[0]?.decisions.map((d) => d.outcome)).toEqual(['allow', 'needs_approval']);
    expect(view.approvals).toMatchObject([{ id: approvalId, status: 'pending' }]);
    const refused = await failure(rep.approve(approvalId, { reason: 'looks fine' }));
    expect(refused).toMatchObject({ kind: 'forbidden', code: 'GL_AUTH_ROLE' });
    expect((await gl.store.approvals.get(approvalId))?.status).toBe('pending');
    expect((await cardAs(REP).sessions('deal', '777')).sessions).toEqual([]);
    await agent.close();
  });

  it('an approver approves: the live call hears it, a retried POST changes nothing, a later deny returns it as it stands', async () => {
    const { agent, approvalId } = await liveCallWithHeldConcession();
    const heard = agent.waitFor((m) => m.type === 'approval_result');
    const approver = cardAs(APPROVER);
    const approved = await approver.approve(approvalId, { reason: 'Strategic logo, VP agreed' });
    expect(approved).toMatchObject({
      id: approvalId,
      status: 'approved',
      approvals: [{ approverId: `hubspot:${APPROVER}`, reason: 'Strategic logo, VP agreed' }],
      denial: null,
    });
    expect(await heard).toMatchObject({ approvalId, status: 'approved' });
    const retried = await approver.approve(approvalId, { reason: 'Strategic logo, VP agreed' });
    expect(retried).toEqual(approved);
    const late = await cardAs(APPROVER_2).deny(approvalId, { reason: 'I disagree' });
    expect(late).toEqual(approved);
    const row = await gl.store.approvals.get(approvalId);
    expect(row?.votes).toHaveLength(1);
    await agent.close();
  });

  it('a manager reads and tunes policy: a new immutable version with author and reason, used by new sessions', async () => {
    const manager = cardAs(MANAGER);
    const before = await manager.policy();
    expect(before.version).toBe(gl.registry.currentPolicy.version);
    const refused = await failure(
      cardAs(APPROVER).changePolicy({ changes: { timeouts: { silence_seconds: 61 } }, reason: 'more patience' }),
    );
    expect(refused).toMatchObject({ kind: 'forbidden', code: 'GL_AUTH_ROLE' });
    const inverted = await failure(
      manager.changePolicy({
        changes: { roles: { closing: { concessions: { auto_max_percent: 90 } } } },
        reason: 'oops',
      }),
    );
    expect(inverted).toMatchObject({ kind: 'rejected', code: 'GL_REQUEST_INVALID' });

    const { version } = await manager.changePolicy({
      changes: { roles: { closing: { concessions: { auto_max_percent: 15 } } }, timeouts: { silence_seconds: 75 } },
      reason: 'Q4 push',
    });
    expect(version).not.toBe(before.version);
    const stored = await gl.store.policies.get(version);
    expect(stored).toMatchObject({ author: `hubspot:${MANAGER}`, reason: 'Q4 push', parent: before.version });
    expect((await gl.store.policies.get(before.version))?.contentHash).toBeDefined();
    expect((await gl.store.policies.getActive())?.id).toBe(version);
    const after = await manager.policy();
    expect(after).toMatchObject({ version, timeouts: { silence_seconds: 75 } });
    expect(after.roles.closing.concessions).toEqual({ ...before.roles.closing.concessions, auto_max_percent: 15 });
    expect(after.roles.booking).toEqual(before.roles.booking);
    const token = await mintToken(
      SECRET,
      { kind: 'agent', agentId: 'agent-8', tenantId: 'acme', roles: ['closing'] },
      { ttlSeconds: 600 },
    );
    const fresh = await GuardlineAgent.connect({ url: gl.url, token, session: helloSession() });
    expect(fresh.ready.policyVersion).toBe(version);
    await fresh.close();
  });
});

describe('the card’s kill switch, signed by HubSpot, against the real backend', () => {
  it('a manager suspends the live call’s agent (hold), a retried POST returns the same suspension, lifting resumes', async () => {
    contact += 1;
    const contactId = String(contact);
    const token = await mintToken(
      SECRET,
      { kind: 'agent', agentId: 'agent-kill', tenantId: 'acme', roles: ['closing'] },
      { ttlSeconds: 600 },
    );
    const agent = await GuardlineAgent.connect({ url: gl.url, token, session: helloSession({ contactId }) });
    expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
    const manager = cardAs(MANAGER);
    const [session] = (await manager.sessions('contact', contactId)).sessions;
    const body = {
      scope: 'agent',
      target: session?.agentId as string,
      reason: 'Off-script pitch',
      endCalls: false,
    } as const;

    for (const userId of [REP, APPROVER]) {
      const refused = await failure(cardAs(userId).suspend(body));
      expect(refused).toMatchObject({ kind: 'forbidden', code: 'GL_AUTH_ROLE' });
    }
    const short = await failure(manager.suspend({ ...body, reason: 'no' }));
    expect(short).toMatchObject({ kind: 'rejected', code: 'GL_REQUEST_INVALID' });
    expect(await gl.store.suspensions.listActive()).toEqual([]);

    const held = agent.directive('hold', 20_000);
    const made = await manager.suspend(body);
    expect(made).toMatchObject({
      scope: 'agent',
      target: 'agent-kill',
      action: 'hold',
      reason: 'Off-script pitch',
      createdBy: `hubspot:${MANAGER}`,
      liftedAt: null,
    });
    expect((await held).message).toContain('Off-script pitch');
    expect(await manager.suspend(body)).toEqual(made); // HubSpot's retry: the same suspension
    expect(await gl.store.suspensions.listActive()).toHaveLength(1);
    expect((await cardAs(REP).sessions('contact', contactId)).suspensions).toEqual([made]);
    expect((await cardAs(REP).sessions('deal', '777')).suspensions).toEqual([]);

    const repLift = await failure(cardAs(REP).liftSuspension(made.id, { reason: 'not mine to lift' }));
    expect(repLift).toMatchObject({ kind: 'forbidden', code: 'GL_AUTH_ROLE' });
    const resumed = agent.directive('resume', 20_000);
    const lifted = await manager.liftSuspension(made.id, { reason: 'Coached, back on script' });
    expect(lifted).toMatchObject({
      id: made.id,
      liftedBy: `hubspot:${MANAGER}`,
      liftReason: 'Coached, back on script',
    });
    await resumed;
    expect(await manager.liftSuspension(made.id, { reason: 'Coached, back on script' })).toEqual(lifted);
    const unknown = await failure(manager.liftSuspension('susp-nope', { reason: 'no such thing' }));
    expect(unknown).toMatchObject({ kind: 'not_found', code: 'GL_SUSPENSION_NOT_FOUND' });
    expect((await manager.sessions('contact', contactId)).suspensions).toEqual([]);
    await agent.close();
  });

  it('"end calls" ends the live call (end_call)', async () => {
    contact += 1;
    const token = await mintToken(
      SECRET,
      { kind: 'agent', agentId: 'agent-kill-end', tenantId: 'acme', roles: ['closing'] },
      { ttlSeconds: 600 },
    );
    const agent = await GuardlineAgent.connect({
      url: gl.url,
      token,
      session: helloSession({ contactId: String(contact) }),
    });
    const ended = agent.directive('end_call', 20_000);
    const made = await cardAs(MANAGER).suspend({
      scope: 'agent',
      target: 'agent-kill-end',
      reason: 'Compliance review',
      endCalls: true,
    });
    expect(made.action).toBe('end_call');
    expect((await ended).message).toContain('Compliance review');
    await cardAs(MANAGER).liftSuspension(made.id, { reason: 'Review done' });
    await agent.close();
  });
});

describe('requests HubSpot did not sign as they arrive are refused (401 GL_AUTH_SIGNATURE)', () => {
  const url = () =>
    withHubSpotIdentity(`${base}/v1/hubspot/approvals/x.approval/approve`, { userId: APPROVER, portalId: PORTAL });
  const body = JSON.stringify({ reason: 'fine by me' });
  const signed = (over: { url?: string; body?: string; timestamp?: number; secret?: string } = {}) =>
    signHubSpotRequest({
      method: 'POST',
      url: over.url ?? url(),
      body: over.body ?? body,
      clientSecret: over.secret ?? CLIENT_SECRET,
      timestamp: over.timestamp ?? Date.now(),
    });
  const send = async (target: string, headers: Record<string, string>, payload = body) => {
    const res = await fetch(target, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: payload,
    });
    return { status: res.status, json: (await res.json()) as { code: string } };
  };

  it('accepts the untouched request, refuses each alteration', async () => {
    // Untouched: verified, then 404 for an unknown approval (past the signature check).
    expect(await send(url(), signed())).toMatchObject({ status: 404, json: { code: 'GL_APPROVAL_NOT_FOUND' } });
    const refusals = [
      await send(url(), {}), // unsigned
      await send(url(), signed(), JSON.stringify({ reason: 'fine by me!' })), // body altered
      await send(url().replace(`userId=${APPROVER}`, `userId=${MANAGER}`), signed()), // identity altered
      await send(url(), signed({ timestamp: Date.now() - 6 * 60_000 })), // stale
      await send(url(), signed({ secret: 'another-app' })), // signed by someone else
      await send(`${url()}&userId=${MANAGER}`, signed({ url: `${url()}&userId=${MANAGER}` })), // repeated identity
    ];
    for (const r of refusals) expect(r).toMatchObject({ status: 401, json: { code: 'GL_AUTH_SIGNATURE' } });
  });

  it('refuses a signed GET without the identity HubSpot appends, and answers 400 to signed bad JSON', async () => {
    const bare = `${base}/v1/hubspot/policy`;
    const headers = signHubSpotRequest({
      method: 'GET',
      url: bare,
      body: '',
      clientSecret: CLIENT_SECRET,
      timestamp: Date.now(),
    });
    const res = await fetch(bare, { headers });
    expect(res.status).toBe(401);
    const junk = '{"reason":';
    expect(await send(url(), signed({ body: junk }), junk)).toMatchObject({
      status: 400,
      json: { code: 'GL_REQUEST_INVALID' },
    });
  });

  it('checks the signature on every card route however its path is spelled (percent-encoded letters)', async () => {
    for (const target of [`${base}/v1/%68ubspot/policy`, `${base}/v1/hubspot/%70olicy`]) {
      const res = await fetch(target);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('GL_AUTH_SIGNATURE');
    }
  });
});
