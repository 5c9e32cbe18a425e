import { Alert, Button, Checkbox, StatusTag, Tabs, TextArea, Tile } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotFetchProxy } from '../../test/fakes/hubspot-signer.ts';
import { GuardlineRecordTab } from '../src/app/cards/components/GuardlineRecordTab.tsx';
import { createGuardlineApi } from '../src/app/cards/lib/guardline-api.ts';
import type { CardSuspension } from '../src/app/cards/shared/contract.ts';
import { type FakeGuardline, type FakeGuardlineState, startFakeGuardline } from './fake-guardline.ts';
import { busyRecordState, liveSession, T0 } from './fixtures.ts';

const SECRET = 'guardline-app-client-secret';
const REP = { userId: 1001, portalId: 9, userEmail: 'rep@acme.com', appId: 5 };
const APPROVER = { userId: 2002, portalId: 9, userEmail: 'lead@acme.com', appId: 5 };
const MANAGER = { userId: 3003, portalId: 9, userEmail: 'vp@acme.com', appId: 5 };

let backend: FakeGuardline | null = null;
afterEach(async () => {
  await backend?.close();
  backend = null;
});

async function renderCard(caller: typeof REP, state: FakeGuardlineState) {
  backend = await startFakeGuardline({ clientSecret: SECRET, roles: { approver: ['2002'], manager: ['3003'] }, state });
  const proxy = createHubSpotFetchProxy({ clientSecret: SECRET, caller });
  const renderer = createRenderer('crm.record.tab');
  const { crm, portal } = renderer.mocks.context;
  renderer.render(
    <GuardlineRecordTab
      api={createGuardlineApi(proxy.fetch, backend.baseUrl)}
      objectTypeId={crm.objectTypeId}
      objectId={crm.objectId}
      timeZone={portal.timezone}
    />,
  );
  await renderer.waitFor(() => expect(renderer.maybeFind(Tabs)).not.toBeNull());
  return { renderer, proxy, fake: backend };
}

function allText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const { text, childNodes } = node as { text?: string | null; childNodes?: unknown[] };
  return childNodes ? childNodes.map(allText).join(' ') : (text ?? '');
}

function trigger(node: unknown, event: 'onChange' | 'onClick', value?: unknown): void {
  (node as { trigger: (event: string, arg?: unknown) => void }).trigger(event, value);
}

function activeSuspension(overrides: Partial<CardSuspension> = {}): CardSuspension {
  return {
    id: 'susp-a1',
    scope: 'agent',
    target: 'agent-7',
    action: 'hold',
    reason: 'Pitching off-script',
    createdBy: 'hubspot:3003',
    createdAt: T0,
    liftedBy: null,
    liftedAt: null,
    liftReason: null,
    ...overrides,
  };
}

describe('Guardline card: kill switch', () => {
  it('offers "Suspend this agent" to managers on a live call, never to reps or approvers', async () => {
    for (const caller of [REP, APPROVER]) {
      const { renderer } = await renderCard(caller, busyRecordState());
      expect(renderer.maybeFind(Button, { testId: 'suspend-agent-7' })).toBeNull();
      await backend?.close();
      backend = null;
    }
    const { renderer } = await renderCard(MANAGER, busyRecordState());
    expect(renderer.findByTestId(Button, 'suspend-agent-7').text).toBe('Suspend this agent (agent-7)');
  });

  it('is not offered once the call has ended', async () => {
    const state = busyRecordState();
    state.sessions['contact:123'] = [{ ...liveSession([]), status: 'ended', endedAt: Date.now() }];
    const { renderer } = await renderCard(MANAGER, state);
    expect(renderer.maybeFind(Button, { testId: 'suspend-agent-7' })).toBeNull();
  });

  it('suspends with a reason and "end calls": calls the signed endpoint and shows the suspension', async () => {
    const { renderer, proxy } = await renderCard(MANAGER, busyRecordState());
    trigger(renderer.findByTestId(Button, 'suspend-agent-7'), 'onClick');
    await renderer.waitFor(() => expect(renderer.maybeFind(Tile, { testId: 'suspend-form-agent-7' })).not.toBeNull());

    // No reason: refused in the card, nothing sent.
    trigger(renderer.findByTestId(Button, 'confirm-suspend-agent-7'), 'onClick');
    await renderer.waitFor(() =>
      expect(renderer.find(TextArea, { name: 'suspend-reason-agent-7' }).props.validationMessage).toMatch(
        /at least 3 characters/,
      ),
    );
    expect(proxy.calls.filter((call) => call.method === 'POST')).toEqual([]);

    trigger(
      renderer.find(TextArea, { name: 'suspend-reason-agent-7' }),
      'onChange',
      'Promised a refund it cannot give',
    );
    trigger(renderer.find(Checkbox, { name: 'suspend-end-calls-agent-7' }), 'onChange', true);
    expect(renderer.findByTestId(Button, 'confirm-suspend-agent-7').text).toBe('Suspend and end calls');
    trigger(renderer.findByTestId(Button, 'confirm-suspend-agent-7'), 'onClick');

    await renderer.waitFor(() => expect(renderer.maybeFind(Tile, { testId: 'suspension-susp-1' })).not.toBeNull());
    expect(renderer.findByTestId(StatusTag, 'suspension-action-susp-1').text).toBe('Calls ended');
    expect(allText(renderer.findByTestId(Tile, 'suspension-susp-1'))).toContain('Promised a refund it cannot give');
    expect(allText(renderer.find(Alert, { title: 'Agent suspended' }))).toContain('agent-7 is suspended');
    expect(renderer.maybeFind(Button, { testId: 'suspend-agent-7' })).toBeNull();

    const post = proxy.calls.find((call) => call.method === 'POST');
    expect(post?.url).toContain('/v1/hubspot/suspensions?userId=3003');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({
      scope: 'agent',
      target: 'agent-7',
      reason: 'Promised a refund it cannot give',
      endCalls: true,
    });
    expect(backend?.state.suspensions).toMatchObject([
      { target: 'agent-7', action: 'end_call', createdBy: 'hubspot:3003', liftedAt: null },
    ]);
  });

  it('shows a suspension affecting the record; a manager lifts it with a reason, a rep only sees it', async () => {
    const repState = busyRecordState();
    repState.suspensions = [activeSuspension()];
    const rep = await renderCard(REP, repState);
    expect(allText(rep.renderer.findByTestId(Tile, 'suspension-susp-a1'))).toContain('Agent agent-7 is suspended');
    expect(rep.renderer.findByTestId(StatusTag, 'suspension-action-susp-a1').text).toBe('Calls on hold');
    expect(rep.renderer.maybeFind(Button, { testId: 'lift-susp-a1' })).toBeNull();
    await backend?.close();
    backend = null;

    const state = busyRecordState();
    state.suspensions = [activeSuspension()];
    const { renderer, proxy, fake } = await renderCard(MANAGER, state);
    // The agent is already suspended: no second "Suspend" button for it.
    expect(renderer.maybeFind(Button, { testId: 'suspend-agent-7' })).toBeNull();
    trigger(renderer.find(TextArea, { name: 'lift-reason-susp-a1' }), 'onChange', 'Coached; back on script');
    trigger(renderer.findByTestId(Button, 'lift-susp-a1'), 'onClick');
    await renderer.waitFor(() => expect(renderer.maybeFind(Tile, { testId: 'suspension-susp-a1' })).toBeNull());
    expect(allText(renderer.find(Alert, { title: 'Suspension lifted' }))).toContain('agent agent-7 may act again');
    expect(renderer.findByTestId(Button, 'suspend-agent-7')).toBeDefined();
    const post = proxy.calls.find((call) => call.method === 'POST');
    expect(post?.url).toContain('/v1/hubspot/suspensions/susp-a1/lift?userId=3003');
    expect(fake.state.suspensions[0]).toMatchObject({
      liftedBy: 'hubspot:3003',
      liftReason: 'Coached; back on script',
    });
  });
});
