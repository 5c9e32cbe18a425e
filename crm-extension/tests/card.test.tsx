import {
  Alert,
  Button,
  EmptyState,
  ErrorState,
  Form,
  NumberInput,
  StatusTag,
  Tab,
  Table,
  TableRow,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubSpotFetchProxy } from '../../test/fakes/hubspot-signer.ts';
import { GuardlineRecordTab } from '../src/app/cards/components/GuardlineRecordTab.tsx';
import { createGuardlineApi } from '../src/app/cards/lib/guardline-api.ts';
import { type FakeGuardline, type FakeGuardlineState, startFakeGuardline } from './fake-guardline.ts';
import { busyRecordState, liveSession, pendingApproval, policy } from './fixtures.ts';

const SECRET = 'guardline-app-client-secret';
const REP = { userId: 1001, portalId: 9, userEmail: 'rep@acme.com', appId: 5 };
const APPROVER = { userId: 2002, portalId: 9, userEmail: 'lead@acme.com', appId: 5 };
const MANAGER = { userId: 3003, portalId: 9, userEmail: 'vp@acme.com', appId: 5 };

let backend: FakeGuardline | null = null;
afterEach(async () => {
  await backend?.close();
  backend = null;
});

async function renderCard(caller: typeof REP, state: FakeGuardlineState, secret = SECRET) {
  backend = await startFakeGuardline({ clientSecret: SECRET, roles: { approver: ['2002'], manager: ['3003'] }, state });
  const proxy = createHubSpotFetchProxy({ clientSecret: secret, caller });
  const api = createGuardlineApi(proxy.fetch, backend.baseUrl);
  const renderer = createRenderer('crm.record.tab');
  const { crm, portal } = renderer.mocks.context;
  renderer.render(
    <GuardlineRecordTab api={api} objectTypeId={crm.objectTypeId} objectId={crm.objectId} timeZone={portal.timezone} />,
  );
  return { renderer, proxy, backend };
}

/** All the text inside a node, nested elements included (a node's own `text` covers direct text only). */
function allText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const { text, childNodes } = node as { text?: string | null; childNodes?: unknown[] };
  return childNodes ? childNodes.map(allText).join(' ') : (text ?? '');
}

/** Types an input's new value (the SDK types `trigger`'s argument as the handler itself). */
function change(node: unknown, value: string | number): void {
  (node as { trigger: (event: 'onChange', arg: unknown) => void }).trigger('onChange', value);
}

const emptyState = (): FakeGuardlineState => ({
  sessions: {},
  approvals: {},
  policy: policy(),
  policyChanges: [],
  suspensions: [],
});

describe('Guardline card: decisions', () => {
  it('shows each decision with its outcome tag, rationale, quoted words and policy version', async () => {
    const { renderer } = await renderCard(REP, busyRecordState());
    await renderer.waitFor(() => expect(renderer.maybeFind(Table)).not.toBeNull());

    const tag = (id: string) => renderer.findByTestId(StatusTag, `outcome-${id}`);
    expect([tag('d-allow').props.variant, tag('d-allow').text]).toEqual(['success', 'Allowed']);
    expect([tag('d-sanitize').props.variant, tag('d-sanitize').text]).toEqual(['info', 'Allowed, modified']);
    expect([tag('d-deny').props.variant, tag('d-deny').text]).toEqual(['danger', 'Denied']);
    expect([tag('d-held').props.variant, tag('d-held').text]).toEqual(['warning', 'Needs approval']);

    expect(renderer.findByTestId(Text, 'rationale-d-deny').text).toBe('The agent may not promise a guaranteed result.');
    const denyRow = renderer.findAll(TableRow).find((row) => allText(row).includes('guaranteed result'));
    expect(allText(denyRow)).toContain('“we guarantee you will double revenue”');
    expect(allText(denyRow)).toContain('default@ab12cd');
    const heldRow = renderer.findAll(TableRow).find((row) => allText(row).includes('Needs approval'));
    expect(allText(heldRow)).toContain('Concession (25%)');

    expect(allText(renderer.find(Alert, { title: 'A call is live' }))).toContain('CA-100');
    expect(allText(renderer.find(Alert, { title: 'Approval waiting' }))).toContain('1 request waits');
  });

  it('lists the newest decision first and says when the record has no calls yet', async () => {
    const { renderer } = await renderCard(REP, busyRecordState());
    await renderer.waitFor(() => expect(renderer.maybeFind(Table)).not.toBeNull());
    const firstBodyRow = renderer.findAll(TableRow)[1];
    expect(allText(firstBodyRow)).toContain('Needs approval');
    await backend?.close();
    backend = null;

    const empty = await renderCard(REP, emptyState());
    await empty.renderer.waitFor(() =>
      expect(empty.renderer.maybeFind(EmptyState, { title: 'No calls yet' })).not.toBeNull(),
    );
    expect(empty.renderer.maybeFind(Alert)).toBeNull();
  });
});

describe('Guardline card: approvals', () => {
  it('lets an approver approve with a reason; the view updates at once and the backend records it', async () => {
    const { renderer, proxy } = await renderCard(APPROVER, busyRecordState());
    await renderer.waitFor(() =>
      expect(renderer.maybeFind(Button, { testId: 'approve-d-held.approval' })).not.toBeNull(),
    );
    expect(renderer.find(Tab, { tabId: 'approvals' }).props.title).toBe('Approvals (1)');

    change(renderer.find(TextArea, { name: 'reason-d-held.approval' }), 'Strategic logo, VP agreed');
    renderer.findByTestId(Button, 'approve-d-held.approval').trigger('onClick');

    await renderer.waitFor(() =>
      expect(renderer.findByTestId(StatusTag, 'approval-status-d-held.approval').text).toBe('Approved'),
    );
    expect(allText(renderer.find(Alert, { title: 'Decision recorded' }))).toContain('approved');
    expect(renderer.maybeFind(Button, { testId: 'approve-d-held.approval' })).toBeNull();

    const stored = backend?.state.approvals['contact:123']?.[0];
    expect(stored?.status).toBe('approved');
    expect(stored?.approvals).toEqual([
      { approverId: '2002', at: expect.any(Number), reason: 'Strategic logo, VP agreed' },
    ]);
    const post = proxy.calls.find((call) => call.method === 'POST');
    expect(post?.url).toContain('/v1/hubspot/approvals/d-held.approval/approve?userId=2002');
    expect(post?.body).toBe('{"reason":"Strategic logo, VP agreed"}');
  });

  it('refuses to send an approval without a reason', async () => {
    const { renderer, proxy } = await renderCard(APPROVER, busyRecordState());
    await renderer.waitFor(() => expect(renderer.maybeFind(Button, { testId: 'deny-d-held.approval' })).not.toBeNull());
    renderer.findByTestId(Button, 'deny-d-held.approval').trigger('onClick');
    await renderer.waitFor(() =>
      expect(renderer.find(TextArea).props.validationMessage).toMatch(/at least 3 characters/),
    );
    expect(proxy.calls.filter((call) => call.method === 'POST')).toEqual([]);
    expect(backend?.state.approvals['contact:123']?.[0]?.status).toBe('pending');
  });

  it('shows a rep the request, the amount, the limit and the countdown, but no buttons', async () => {
    const { renderer } = await renderCard(REP, busyRecordState());
    await renderer.waitFor(() =>
      expect(renderer.maybeFind(StatusTag, { testId: 'approval-status-d-held.approval' })).not.toBeNull(),
    );
    const tile = renderer.findAll(Text).map((node) => node.text ?? '');
    expect(tile).toContain('Asked: 25% · Allowed without approval: 10%');
    expect(tile.some((line) => /^\d+:\d\d left · 0 of 1 approver$/.test(line))).toBe(true);
    expect(renderer.maybeFind(Button, { testId: 'approve-d-held.approval' })).toBeNull();
    expect(renderer.maybeFind(Button, { testId: 'deny-d-held.approval' })).toBeNull();
    expect(renderer.maybeFind(TextArea)).toBeNull();
    expect(allText(renderer.find(Alert, { title: 'Approval waiting' }))).toContain(
      'An approver or manager will decide.',
    );
  });

  it('treats a request past its deadline as expired and offers no buttons', async () => {
    const state = busyRecordState();
    state.approvals['contact:123'] = [pendingApproval({ deadline: Date.now() - 1_000 })];
    const { renderer } = await renderCard(APPROVER, state);
    await renderer.waitFor(() =>
      expect(renderer.findByTestId(StatusTag, 'approval-status-d-held.approval').text).toBe('Expired'),
    );
    expect(renderer.maybeFind(Button, { testId: 'approve-d-held.approval' })).toBeNull();
    expect(renderer.maybeFind(Alert, { title: 'Approval waiting' })).toBeNull();
  });
});

describe('Guardline card: error states', () => {
  it('says Guardline is unreachable when nothing answers, and offers to try again', async () => {
    const closed = await startFakeGuardline({
      clientSecret: SECRET,
      roles: { approver: [], manager: [] },
      state: emptyState(),
    });
    await closed.close();
    const api = createGuardlineApi(
      createHubSpotFetchProxy({ clientSecret: SECRET, caller: REP }).fetch,
      closed.baseUrl,
    );
    const renderer = createRenderer('crm.record.tab');
    renderer.render(<GuardlineRecordTab api={api} objectTypeId="0-1" objectId={123} timeZone="UTC" />);
    await renderer.waitFor(() => expect(renderer.maybeFind(ErrorState)).not.toBeNull(), { timeoutInMs: 5_000 });
    expect(renderer.find(ErrorState).props.title).toBe('Guardline is unreachable');
    expect(allText(renderer.find(ErrorState))).toContain('try again in a minute');
    expect(renderer.maybeFind(Button, { testId: 'retry' })).not.toBeNull();
  });

  it('says the request was refused when the signature does not verify (wrong app secret)', async () => {
    const { renderer } = await renderCard(REP, busyRecordState(), 'not-the-app-secret');
    await renderer.waitFor(() => expect(renderer.maybeFind(ErrorState)).not.toBeNull());
    expect(renderer.find(ErrorState).props.title).toBe('Guardline refused this request');
    expect(backend?.requests.map((r) => r.path)).toEqual(['/v1/hubspot/sessions']);
  });

  it('explains that the card only works on contacts and deals', () => {
    const renderer = createRenderer('crm.record.tab');
    const api = createGuardlineApi(
      createHubSpotFetchProxy({ clientSecret: SECRET, caller: REP }).fetch,
      'http://127.0.0.1:9',
    );
    renderer.render(<GuardlineRecordTab api={api} objectTypeId="0-2" objectId={5} timeZone="UTC" />);
    expect(renderer.find(ErrorState).props.title).toBe('Not available here');
  });

  it('shows an ended call without the live banner', async () => {
    const state = emptyState();
    state.sessions['contact:123'] = [{ ...liveSession([]), status: 'ended', endedAt: Date.now() }];
    const { renderer } = await renderCard(REP, state);
    await renderer.waitFor(() => expect(renderer.findByTestId(StatusTag, 'session-status-s-live').text).toBe('Ended'));
    expect(renderer.maybeFind(Alert, { title: 'A call is live' })).toBeNull();
    expect(renderer.findAll(Text).some((node) => node.text === 'No decisions yet in this call.')).toBe(true);
  });
});

describe('Guardline card: policy tuning', () => {
  it('is offered to managers only', async () => {
    const rep = await renderCard(APPROVER, busyRecordState());
    await rep.renderer.waitFor(() => expect(rep.renderer.maybeFind(Table)).not.toBeNull());
    expect(rep.renderer.maybeFind(Tab, { tabId: 'policy' })).toBeNull();
  });

  it('validates before submitting, then publishes a new version with only the changed fields', async () => {
    const { renderer } = await renderCard(MANAGER, busyRecordState());
    await renderer.waitFor(() =>
      expect(renderer.maybeFind(NumberInput, { name: 'closing.auto_max_percent' })).not.toBeNull(),
    );
    const input = () => renderer.find(NumberInput, { name: 'closing.auto_max_percent' });
    expect([input().props.value, input().props.min, input().props.max]).toEqual([10, 0, 100]);

    change(input(), 40);
    change(renderer.find(TextArea, { name: 'policy-reason' }), 'Q4 push');
    expect(input().props.validationMessage).toBe('Auto-approved % must not exceed the % allowed with approval');
    renderer.find(Form).trigger('onSubmit');
    await renderer.waitFor(() =>
      expect(allText(renderer.find(Alert, { title: 'Not saved' }))).toContain('Fix the fields'),
    );
    expect(backend?.requests.filter((r) => r.method === 'POST')).toEqual([]);

    change(input(), 15);
    change(renderer.find(NumberInput, { name: 'timeouts.silence_seconds' }), 60);
    renderer.find(Form).trigger('onSubmit');
    await renderer.waitFor(() =>
      expect(renderer.maybeFind(Alert, { title: 'New policy version published' })).not.toBeNull(),
    );

    expect(backend?.state.policyChanges).toEqual([
      {
        version: 'default@v2',
        by: '3003',
        reason: 'Q4 push',
        changes: { roles: { closing: { concessions: { auto_max_percent: 15 } } }, timeouts: { silence_seconds: 60 } },
      },
    ]);
    expect(backend?.state.policy.roles.closing.concessions.auto_max_percent).toBe(15);
    expect(renderer.findAll(Text).some((node) => node.text?.startsWith('Current version: default@v2'))).toBe(true);
  });
});
