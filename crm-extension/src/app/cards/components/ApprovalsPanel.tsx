import { Alert, Button, ButtonRow, EmptyState, Flex, StatusTag, Text, TextArea, Tile } from '@hubspot/ui-extensions';
import { useState } from 'react';
import { APPROVAL_STATUS_TAGS, actionLabel, countdown, describeBound, isPending } from '../lib/format.ts';
import { describeApiError, type GuardlineApi } from '../lib/guardline-api.ts';
import { ApprovalActionBody, type CardApproval } from '../shared/contract.ts';

interface ApprovalTileProps {
  approval: CardApproval;
  canDecide: boolean;
  api: GuardlineApi;
  now: number;
  onUpdated: (approval: CardApproval) => void;
}

function ApprovalTile({ approval, canDecide, api, now, onUpdated }: ApprovalTileProps) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const pending = isPending(approval, now);
  const status = pending || approval.status !== 'pending' ? approval.status : 'expired';
  const tag = APPROVAL_STATUS_TAGS[status];

  async function decide(verdict: 'approve' | 'deny') {
    const body = ApprovalActionBody.safeParse({ reason });
    if (!body.success) {
      setProblem(body.error.issues[0]?.message ?? 'Give a reason.');
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      const updated =
        verdict === 'approve' ? await api.approve(approval.id, body.data) : await api.deny(approval.id, body.data);
      onUpdated(updated);
    } catch (error) {
      const words = describeApiError(error);
      setProblem(`${words.title}: ${words.detail}`);
    } finally {
      setBusy(false);
    }
  }

  const votes = `${approval.approvals.length} of ${approval.approversRequired} approver${approval.approversRequired > 1 ? 's' : ''}`;
  return (
    <Tile testId={`approval-${approval.id}`}>
      <Flex direction="column" gap="xs">
        <Flex direction="row" gap="sm" align="center">
          <Text
            format={{ fontWeight: 'bold' }}
          >{`${actionLabel(approval.kind)}: ${describeBound(approval.bound)}`}</Text>
          <StatusTag variant={tag.variant} testId={`approval-status-${approval.id}`}>
            {tag.label}
          </StatusTag>
        </Flex>
        <Text>{`Asked: ${describeBound(approval.bound)} · Allowed without approval: ${describeBound(approval.limit)}`}</Text>
        <Text>{approval.reason}</Text>
        <Text variant="microcopy">
          {pending
            ? `${countdown(approval.deadline, now)} · ${votes}`
            : `${votes}${approval.denial ? ` · denied: ${approval.denial.reason}` : ''}`}
        </Text>
        {approval.approvals.map((vote) => (
          <Text
            key={`${vote.approverId}-${vote.at}`}
            variant="microcopy"
          >{`Approved by user ${vote.approverId}: ${vote.reason}`}</Text>
        ))}
        {pending && canDecide ? (
          <Flex direction="column" gap="xs">
            <TextArea
              label="Reason (required)"
              name={`reason-${approval.id}`}
              value={reason}
              maxLength={500}
              onChange={(value) => setReason(value)}
              onInput={(value) => setReason(value)}
              {...(problem ? { error: true, validationMessage: problem } : {})}
            />
            <ButtonRow>
              <Button
                variant="primary"
                disabled={busy}
                onClick={() => decide('approve')}
                testId={`approve-${approval.id}`}
              >
                Approve
              </Button>
              <Button
                variant="destructive"
                disabled={busy}
                onClick={() => decide('deny')}
                testId={`deny-${approval.id}`}
              >
                Deny
              </Button>
            </ButtonRow>
          </Flex>
        ) : null}
        {pending && !canDecide ? <Text variant="microcopy">An approver or manager decides this request.</Text> : null}
      </Flex>
    </Tile>
  );
}

export interface ApprovalsPanelProps {
  approvals: CardApproval[];
  canDecide: boolean;
  api: GuardlineApi;
  now: number;
  onUpdated: (approval: CardApproval) => void;
  notice: string | null;
}

/** Approval requests for this record; approvers and managers see Approve / Deny with a reason. */
export function ApprovalsPanel({ approvals, canDecide, api, now, onUpdated, notice }: ApprovalsPanelProps) {
  if (approvals.length === 0) {
    return (
      <EmptyState title="No approval requests" layout="vertical" imageName="task">
        <Text>When an agent asks for more than it may give on its own, the request waits here.</Text>
      </EmptyState>
    );
  }
  const ordered = [...approvals].sort(
    (a, b) => Number(isPending(b, now)) - Number(isPending(a, now)) || a.deadline - b.deadline,
  );
  return (
    <Flex direction="column" gap="sm">
      {notice ? (
        <Alert title="Decision recorded" variant="success">
          {notice}
        </Alert>
      ) : null}
      {ordered.map((approval) => (
        <ApprovalTile
          key={approval.id}
          approval={approval}
          canDecide={canDecide}
          api={api}
          now={now}
          onUpdated={onUpdated}
        />
      ))}
    </Flex>
  );
}
