import {
  EmptyState,
  Flex,
  Heading,
  StatusTag,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Text,
} from '@hubspot/ui-extensions';
import { actionLabel, describeBound, evidenceText, formatTime, OUTCOME_TAGS, rationaleText } from '../lib/format.ts';
import type { CardSession, Decision } from '../shared/contract.ts';

function DecisionRow({ decision, timeZone }: { decision: Decision; timeZone: string }) {
  const tag = OUTCOME_TAGS[decision.outcome];
  const asked = decision.approval ? ` (${describeBound(decision.approval.bound)})` : '';
  const words = evidenceText(decision);
  return (
    <TableRow>
      <TableCell>{formatTime(decision.at, timeZone)}</TableCell>
      <TableCell>{`${actionLabel(decision.kind)}${asked}`}</TableCell>
      <TableCell>
        <StatusTag variant={tag.variant} testId={`outcome-${decision.id}`}>
          {tag.label}
        </StatusTag>
      </TableCell>
      <TableCell>
        <Text testId={`rationale-${decision.id}`}>{rationaleText(decision)}</Text>
      </TableCell>
      <TableCell>{words === '' ? '—' : words}</TableCell>
      <TableCell>{decision.policyVersion}</TableCell>
    </TableRow>
  );
}

function SessionBlock({ session, timeZone }: { session: CardSession; timeZone: string }) {
  const started = formatTime(session.startedAt, timeZone);
  const when =
    session.endedAt === null ? `started ${started}` : `${started} – ${formatTime(session.endedAt, timeZone)}`;
  return (
    <Flex direction="column" gap="xs">
      <Flex direction="row" gap="sm" align="center">
        <Heading>{`Call ${session.callId}`}</Heading>
        <StatusTag variant={session.status === 'live' ? 'success' : 'default'} testId={`session-status-${session.id}`}>
          {session.status === 'live' ? 'Live' : 'Ended'}
        </StatusTag>
      </Flex>
      <Text variant="microcopy">{`${session.channel} · ${session.role} agent ${session.agentId} · ${when} · policy ${session.policyVersion}`}</Text>
      {session.decisions.length === 0 ? (
        <Text>No decisions yet in this call.</Text>
      ) : (
        <Table bordered={true} testId={`decisions-${session.id}`}>
          <TableHead>
            <TableRow>
              <TableHeader>Time</TableHeader>
              <TableHeader>Action</TableHeader>
              <TableHeader>Outcome</TableHeader>
              <TableHeader>Why</TableHeader>
              <TableHeader>Triggered by</TableHeader>
              <TableHeader>Policy</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {[...session.decisions]
              .sort((a, b) => b.at - a.at)
              .map((decision) => (
                <DecisionRow key={decision.id} decision={decision} timeZone={timeZone} />
              ))}
          </TableBody>
        </Table>
      )}
    </Flex>
  );
}

/** The live or most recent calls for this record, newest first, each with its decisions. */
export function DecisionsPanel({ sessions, timeZone }: { sessions: CardSession[]; timeZone: string }) {
  if (sessions.length === 0) {
    return (
      <EmptyState title="No calls yet" layout="vertical" imageName="meetings">
        <Text>When an AI agent calls or messages this record, each guardrail decision shows up here.</Text>
      </EmptyState>
    );
  }
  const ordered = [...sessions].sort((a, b) =>
    a.status === b.status ? b.startedAt - a.startedAt : a.status === 'live' ? -1 : 1,
  );
  return (
    <Flex direction="column" gap="md">
      {ordered.map((session) => (
        <SessionBlock key={session.id} session={session} timeZone={timeZone} />
      ))}
    </Flex>
  );
}
