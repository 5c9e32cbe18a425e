import { Button, ButtonRow, Checkbox, Flex, Heading, StatusTag, Text, TextArea, Tile } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { formatTime } from '../lib/format.ts';
import { describeApiError, type GuardlineApi } from '../lib/guardline-api.ts';
import { type CardSuspension, LiftSuspensionBody, SuspendAgentBody } from '../shared/contract.ts';

const SCOPE_LABELS: Record<CardSuspension['scope'], string> = { agent: 'Agent', role: 'Role', tenant: 'Tenant' };

function problemOf(error: unknown): string {
  const words = describeApiError(error);
  return `${words.title}: ${words.detail}`;
}

interface SuspensionTileProps {
  suspension: CardSuspension;
  canLift: boolean;
  api: GuardlineApi;
  timeZone: string;
  onLifted: (suspension: CardSuspension) => void;
}

function SuspensionTile({ suspension, canLift, api, timeZone, onLifted }: SuspensionTileProps) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function lift() {
    const body = LiftSuspensionBody.safeParse({ reason });
    if (!body.success) return setProblem(body.error.issues[0]?.message ?? 'Give a reason.');
    setBusy(true);
    setProblem(null);
    try {
      onLifted(await api.liftSuspension(suspension.id, body.data));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  const { id, scope, target, action } = suspension;
  return (
    <Tile testId={`suspension-${id}`}>
      <Flex direction="column" gap="xs">
        <Flex direction="row" gap="sm" align="center">
          <Text format={{ fontWeight: 'bold' }}>{`${SCOPE_LABELS[scope]} ${target} is suspended`}</Text>
          <StatusTag variant={action === 'end_call' ? 'danger' : 'warning'} testId={`suspension-action-${id}`}>
            {action === 'end_call' ? 'Calls ended' : 'Calls on hold'}
          </StatusTag>
        </Flex>
        <Text>{suspension.reason}</Text>
        <Text variant="microcopy">{`By ${suspension.createdBy} at ${formatTime(suspension.createdAt, timeZone)}`}</Text>
        {canLift ? (
          <Flex direction="column" gap="xs">
            <TextArea
              label="Reason for lifting (required)"
              name={`lift-reason-${id}`}
              value={reason}
              maxLength={500}
              onChange={(value) => setReason(value)}
              onInput={(value) => setReason(value)}
              {...(problem ? { error: true, validationMessage: problem } : {})}
            />
            <Button variant="primary" disabled={busy} onClick={lift} testId={`lift-${id}`}>
              Lift
            </Button>
          </Flex>
        ) : null}
      </Flex>
    </Tile>
  );
}

interface SuspendAgentProps {
  agentId: string;
  api: GuardlineApi;
  onSuspended: (suspension: CardSuspension) => void;
}

/** "Suspend this agent": a reason and hold vs end the call, then the signed POST. */
function SuspendAgent({ agentId, api, onSuspended }: SuspendAgentProps) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [endCalls, setEndCalls] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!open) {
    return (
      <Button variant="destructive" onClick={() => setOpen(true)} testId={`suspend-${agentId}`}>
        {`Suspend this agent (${agentId})`}
      </Button>
    );
  }

  async function confirm() {
    const body = SuspendAgentBody.safeParse({ scope: 'agent', target: agentId, reason, endCalls });
    if (!body.success) return setProblem(body.error.issues[0]?.message ?? 'Give a reason.');
    setBusy(true);
    setProblem(null);
    try {
      onSuspended(await api.suspend(body.data));
    } catch (error) {
      setProblem(problemOf(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Tile testId={`suspend-form-${agentId}`}>
      <Flex direction="column" gap="xs">
        <Text format={{ fontWeight: 'bold' }}>{`Suspend agent ${agentId}`}</Text>
        <Text variant="microcopy">
          Its live calls stop acting within a second, and it can start nothing new until a manager lifts the suspension.
        </Text>
        <TextArea
          label="Reason (required)"
          name={`suspend-reason-${agentId}`}
          value={reason}
          maxLength={500}
          onChange={(value) => setReason(value)}
          onInput={(value) => setReason(value)}
          {...(problem ? { error: true, validationMessage: problem } : {})}
        />
        <Checkbox
          name={`suspend-end-calls-${agentId}`}
          checked={endCalls}
          onChange={(checked) => setEndCalls(checked)}
          description="Otherwise its live calls are put on hold until the suspension is lifted."
        >
          End its live calls now
        </Checkbox>
        <ButtonRow>
          <Button variant="destructive" disabled={busy} onClick={confirm} testId={`confirm-suspend-${agentId}`}>
            {endCalls ? 'Suspend and end calls' : 'Suspend and hold calls'}
          </Button>
          <Button disabled={busy} onClick={() => setOpen(false)} testId={`cancel-suspend-${agentId}`}>
            Cancel
          </Button>
        </ButtonRow>
      </Flex>
    </Tile>
  );
}

export interface KillSwitchPanelProps {
  /** Managers get "Suspend this agent" and "Lift"; others only see what is suspended. */
  isManager: boolean;
  /** The agents of the record's live calls. */
  liveAgents: string[];
  /** Active suspensions covering the record's calls. */
  suspensions: CardSuspension[];
  api: GuardlineApi;
  timeZone: string;
  onSuspended: (suspension: CardSuspension) => void;
  onLifted: (suspension: CardSuspension) => void;
}

/** The kill switch on the record: what is suspended, and (managers) suspend the live call's agent or lift. */
export function KillSwitchPanel(props: KillSwitchPanelProps) {
  const { isManager, suspensions, api, timeZone } = props;
  const suspendedAgents = new Set(suspensions.filter((s) => s.scope === 'agent').map((s) => s.target));
  const suspendable = isManager ? [...new Set(props.liveAgents)].filter((a) => !suspendedAgents.has(a)) : [];
  if (suspensions.length === 0 && suspendable.length === 0) return null;
  return (
    <Flex direction="column" gap="xs">
      <Heading>Kill switch</Heading>
      {suspensions.map((suspension) => (
        <SuspensionTile
          key={suspension.id}
          suspension={suspension}
          canLift={isManager}
          api={api}
          timeZone={timeZone}
          onLifted={props.onLifted}
        />
      ))}
      {suspendable.map((agentId) => (
        <SuspendAgent key={agentId} agentId={agentId} api={api} onSuspended={props.onSuspended} />
      ))}
    </Flex>
  );
}
