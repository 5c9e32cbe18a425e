import { Alert, Button, ErrorState, Flex, LoadingSpinner, Tab, Tabs, Text } from '@hubspot/ui-extensions';
import { useCallback, useEffect, useState } from 'react';
import { isPending } from '../lib/format.ts';
import { describeApiError, type GuardlineApi } from '../lib/guardline-api.ts';
import type { CardApproval, CardObjectType, CardSuspension, SessionsResponse } from '../shared/contract.ts';
import { ApprovalsPanel } from './ApprovalsPanel.tsx';
import { DecisionsPanel } from './DecisionsPanel.tsx';
import { KillSwitchPanel } from './KillSwitchPanel.tsx';
import { PolicyPanel } from './PolicyPanel.tsx';

/** HubSpot's object type ids for the records this card is placed on. */
const OBJECT_TYPES: Record<string, CardObjectType> = { '0-1': 'contact', '0-3': 'deal' };

export function objectTypeFor(objectTypeId: string): CardObjectType | null {
  return OBJECT_TYPES[objectTypeId] ?? null;
}

export interface GuardlineRecordTabProps {
  api: GuardlineApi;
  objectTypeId: string;
  objectId: string | number;
  timeZone: string;
  /** The clock; injected so tests can pin it. */
  now?: () => number;
}

type Load =
  | { state: 'loading' }
  | { state: 'error'; title: string; detail: string }
  | { state: 'ready'; data: SessionsResponse };

function useTicker(now: () => number): number {
  const [tick, setTick] = useState(now());
  useEffect(() => {
    const timer = setInterval(() => setTick(now()), 1000);
    return () => clearInterval(timer);
  }, [now]);
  return tick;
}

/** The card body: the kill switch, sessions and decisions, approvals, and (for managers) policy tuning. */
export function GuardlineRecordTab({ api, objectTypeId, objectId, timeZone, now = Date.now }: GuardlineRecordTabProps) {
  const objectType = objectTypeFor(objectTypeId);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [notice, setNotice] = useState<string | null>(null);
  const [killNotice, setKillNotice] = useState<{ title: string; text: string } | null>(null);
  const clock = useTicker(now);

  const refresh = useCallback(() => {
    if (!objectType) return;
    setLoad({ state: 'loading' });
    api.sessions(objectType, String(objectId)).then(
      (data) => setLoad({ state: 'ready', data }),
      (error: unknown) => setLoad({ state: 'error', ...describeApiError(error) }),
    );
  }, [api, objectType, objectId]);

  useEffect(refresh, [refresh]);

  if (!objectType) {
    return (
      <ErrorState title="Not available here">
        <Text>The Guardline card works on contact and deal records.</Text>
      </ErrorState>
    );
  }
  if (load.state === 'loading') return <LoadingSpinner label="Loading Guardline decisions" layout="centered" />;
  if (load.state === 'error') {
    return (
      <ErrorState title={load.title}>
        <Text>{load.detail}</Text>
        <Button onClick={refresh} testId="retry">
          Try again
        </Button>
      </ErrorState>
    );
  }

  const { viewer, sessions, approvals, suspensions } = load.data;
  const live = sessions.filter((session) => session.status === 'live');
  const waiting = approvals.filter((approval) => isPending(approval, clock));
  const canDecide = viewer.role === 'approver' || viewer.role === 'manager';

  const replaceApproval = (updated: CardApproval) => {
    setLoad({
      state: 'ready',
      data: { ...load.data, approvals: approvals.map((a) => (a.id === updated.id ? updated : a)) },
    });
    setNotice(
      updated.status === 'pending'
        ? `Your approval is recorded; ${updated.approversRequired - updated.approvals.length} more approver needed.`
        : `The request is ${updated.status}. The live call has been told.`,
    );
  };

  const suspended = (added: CardSuspension) => {
    setLoad({
      state: 'ready',
      data: { ...load.data, suspensions: [...suspensions.filter((s) => s.id !== added.id), added] },
    });
    setKillNotice({
      title: 'Agent suspended',
      text: `${added.target} is suspended: its live calls ${added.action === 'end_call' ? 'are ending' : 'are on hold until a manager lifts it'}.`,
    });
  };
  const lifted = (gone: CardSuspension) => {
    setLoad({ state: 'ready', data: { ...load.data, suspensions: suspensions.filter((s) => s.id !== gone.id) } });
    setKillNotice({
      title: 'Suspension lifted',
      text: `${gone.scope} ${gone.target} may act again; held calls resume.`,
    });
  };

  return (
    <Flex direction="column" gap="sm">
      {live.length > 0 ? (
        <Alert title="A call is live" variant="info">
          {`An AI agent is on a call with this record now (${live.map((s) => s.callId).join(', ')}). Decisions appear as they are made.`}
        </Alert>
      ) : null}
      {waiting.length > 0 ? (
        <Alert title="Approval waiting" variant="warning">
          {`${waiting.length} request${waiting.length > 1 ? 's wait' : ' waits'} for an approver. ${
            canDecide ? 'Open Approvals to decide.' : 'An approver or manager will decide.'
          }`}
        </Alert>
      ) : null}
      {killNotice ? (
        <Alert title={killNotice.title} variant="success">
          {killNotice.text}
        </Alert>
      ) : null}
      <KillSwitchPanel
        isManager={viewer.role === 'manager'}
        liveAgents={live.map((s) => s.agentId)}
        suspensions={suspensions}
        api={api}
        timeZone={timeZone}
        onSuspended={suspended}
        onLifted={lifted}
      />
      <Tabs defaultSelected="decisions">
        <Tab tabId="decisions" title="Decisions">
          <DecisionsPanel sessions={sessions} timeZone={timeZone} />
        </Tab>
        <Tab tabId="approvals" title={waiting.length > 0 ? `Approvals (${waiting.length})` : 'Approvals'}>
          <ApprovalsPanel
            approvals={approvals}
            canDecide={canDecide}
            api={api}
            now={clock}
            onUpdated={replaceApproval}
            notice={notice}
          />
        </Tab>
        {viewer.role === 'manager' ? (
          <Tab tabId="policy" title="Policy">
            <PolicyPanel api={api} />
          </Tab>
        ) : null}
      </Tabs>
    </Flex>
  );
}
