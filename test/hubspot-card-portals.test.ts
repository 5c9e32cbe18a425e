/**
 * GUARDLINE_HUBSPOT_PORTALS: the card serves the HubSpot accounts it lists, each as its tenant. The
 * app's client secret signs requests from every account the app is installed in, and contact ids
 * repeat across accounts, so without it a user of one account would see (and approve) another's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/index.ts';
import { GuardlineAgent } from '../src/client/index.ts';
import { GuardlineError } from '../src/errors/index.ts';
import { parseHubSpotPortals } from '../src/hubspot-card/index.ts';
import { type CardServer, failure, startCardServer } from './card-harness.ts';
import { disclosureText, helloSession, SECRET } from './server-harness.ts';

const MANAGER = 3003;
const ACME_PORTAL = 9;
const BETA_PORTAL = 10;

let server: CardServer;
beforeAll(async () => {
  server = await startCardServer({
    roles: { approver: [], manager: [String(MANAGER)] },
    portals: parseHubSpotPortals(JSON.stringify({ [ACME_PORTAL]: 'acme', [BETA_PORTAL]: 'beta' })),
  });
});
afterAll(async () => server?.close());

/** The card as the manager, in HubSpot account `portalId`. */
const cardIn = (portalId: number) => server.cardAs(MANAGER, portalId);

/** A call of `tenant` on contact 101 with a concession held for approval. */
async function callOf(tenant: string) {
  const token = await mintToken(
    SECRET,
    { kind: 'agent', agentId: `agent-${tenant}`, tenantId: tenant, roles: ['closing'] },
    { ttlSeconds: 600 },
  );
  const agent = await GuardlineAgent.connect({
    url: server.gl.url,
    token,
    session: helloSession({ contactId: '101' }),
  });
  expect((await agent.propose('say', { text: disclosureText() })).outcome).toBe('allow');
  const held = await agent.propose('concession', { type: 'percent_off', value: 20 });
  return { agent, approvalId: held.approval?.id as string };
}

describe('the card with GUARDLINE_HUBSPOT_PORTALS', () => {
  it("shows and acts on its own account's tenant only, and refuses accounts it does not serve", async () => {
    const acme = await callOf('acme');
    const beta = await callOf('beta');
    const betaCard = cardIn(BETA_PORTAL);

    const view = await betaCard.sessions('contact', '101');
    expect(view.sessions.map((s) => s.id)).toEqual([beta.agent.sessionId]);
    expect(view.approvals.map((a) => a.id)).toEqual([beta.approvalId]);
    const foreign = await failure(betaCard.approve(acme.approvalId, { reason: 'not ours to approve' }));
    expect(foreign).toMatchObject({ code: 'GL_APPROVAL_NOT_FOUND' });
    expect((await server.gl.store.approvals.get(acme.approvalId))?.status).toBe('pending');
    expect(await betaCard.approve(beta.approvalId, { reason: 'fine for this account' })).toMatchObject({
      status: 'approved',
    });

    // A suspension made from beta's account covers beta's sessions only, whatever it names.
    const made = await betaCard.suspend({ scope: 'agent', target: 'agent-acme', reason: 'testing', endCalls: false });
    expect((await server.gl.store.suspensions.get(made.id))?.tenantId).toBe('beta');

    expect((await cardIn(ACME_PORTAL).sessions('contact', '101')).sessions.map((s) => s.id)).toEqual([
      acme.agent.sessionId,
    ]);
    const tuning = await failure(
      betaCard.changePolicy({ reason: 'shared', changes: { timeouts: { silence_seconds: 90 } } }),
    );
    expect(tuning).toMatchObject({ code: 'GL_AUTH_SCOPE' });
    const stranger = await failure(cardIn(11).sessions('contact', '101'));
    expect(stranger).toMatchObject({ code: 'GL_AUTH_SCOPE' });
    await Promise.all([acme.agent.close(), beta.agent.close()]);
  });

  it('takes the mapping as JSON of account ids to tenants, and refuses anything else at start', () => {
    expect(parseHubSpotPortals(undefined)).toBeNull();
    expect(parseHubSpotPortals('{"12345":"acme"}')?.get('12345')).toBe('acme');
    for (const bad of ['nope', '{}', '{"acme":"12345"}', '{"12345":""}', '["12345"]']) {
      expect(() => parseHubSpotPortals(bad)).toThrow(GuardlineError);
    }
  });
});
