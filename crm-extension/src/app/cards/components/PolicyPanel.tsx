import {
  Alert,
  Button,
  ErrorState,
  Flex,
  Form,
  Heading,
  LoadingSpinner,
  NumberInput,
  Text,
  TextArea,
} from '@hubspot/ui-extensions';
import { useEffect, useState } from 'react';
import { describeApiError, type GuardlineApi } from '../lib/guardline-api.ts';
import {
  type PolicyChanges,
  type PolicyView,
  TUNING_LIMITS,
  TunablePolicy,
  type TunedConcessions,
  TunedRole,
  type TunedTimeouts,
} from '../shared/contract.ts';

type Tunables = Pick<PolicyView, 'roles' | 'timeouts'>;
type ConcessionField = keyof TunedConcessions;
type TimeoutField = keyof TunedTimeouts;

const CONCESSION_LABELS: Record<ConcessionField, string> = {
  auto_max_percent: 'Max % the agent may give on its own',
  approval_max_percent: 'Max % with approval',
  max_count: 'Max concessions per call',
  cumulative_max_percent: 'Max % all concessions together',
};
const TIMEOUT_LABELS: Record<TimeoutField, string> = {
  max_call_seconds: 'Max call length (s)',
  wrap_up_warning_seconds: 'Wrap-up warning before the end (s)',
  silence_seconds: 'End after silence of (s)',
  approval_wait_seconds: 'Wait for an approval (s)',
};

/** Only the fields that differ from the current version. */
export function diffTunables(current: Tunables, draft: Tunables): PolicyChanges {
  const changes: PolicyChanges = {};
  for (const role of TunedRole.options) {
    const patch: Partial<TunedConcessions> = {};
    for (const field of Object.keys(CONCESSION_LABELS) as ConcessionField[]) {
      if (draft.roles[role].concessions[field] !== current.roles[role].concessions[field]) {
        patch[field] = draft.roles[role].concessions[field];
      }
    }
    if (Object.keys(patch).length > 0) changes.roles = { ...changes.roles, [role]: { concessions: patch } };
  }
  const timeouts: Partial<TunedTimeouts> = {};
  for (const field of Object.keys(TIMEOUT_LABELS) as TimeoutField[]) {
    if (draft.timeouts[field] !== current.timeouts[field]) timeouts[field] = draft.timeouts[field];
  }
  if (Object.keys(timeouts).length > 0) changes.timeouts = timeouts;
  return changes;
}

function issuesByPath(draft: Tunables): Record<string, string> {
  const result = TunablePolicy.safeParse(draft);
  const issues: Record<string, string> = {};
  for (const issue of result.error?.issues ?? []) issues[issue.path.join('.')] ??= issue.message;
  return issues;
}

/** Managers: current timeouts and concession ranges; saving publishes a new policy version. */
export function PolicyPanel({ api }: { api: GuardlineApi }) {
  const [current, setCurrent] = useState<PolicyView | null>(null);
  const [draft, setDraft] = useState<Tunables | null>(null);
  const [loadError, setLoadError] = useState<{ title: string; detail: string } | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [published, setPublished] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.policy().then(
      (policy) => {
        setCurrent(policy);
        setDraft({ roles: policy.roles, timeouts: policy.timeouts });
      },
      (error: unknown) => setLoadError(describeApiError(error)),
    );
  }, [api]);

  if (loadError) {
    return (
      <ErrorState title={loadError.title}>
        <Text>{loadError.detail}</Text>
      </ErrorState>
    );
  }
  if (!current || !draft) return <LoadingSpinner label="Loading the current policy" layout="centered" />;

  const issues = issuesByPath(draft);
  const setConcession = (role: TunedRole, field: ConcessionField, value: number) =>
    setDraft({
      ...draft,
      roles: { ...draft.roles, [role]: { concessions: { ...draft.roles[role].concessions, [field]: value } } },
    });
  const setTimeoutField = (field: TimeoutField, value: number) =>
    setDraft({ ...draft, timeouts: { ...draft.timeouts, [field]: value } });

  async function submit() {
    const changes = diffTunables(current as PolicyView, draft as Tunables);
    if (Object.keys(issues).length > 0) return setProblem('Fix the fields marked in red first.');
    if (Object.keys(changes).length === 0) return setProblem('Nothing has changed.');
    if (reason.trim().length < 3) return setProblem('Say why you are changing the policy.');
    setBusy(true);
    setProblem(null);
    try {
      const result = await api.changePolicy({ changes, reason: reason.trim() });
      setPublished(result.version);
      setCurrent({ ...(current as PolicyView), ...(draft as Tunables), version: result.version });
      setReason('');
    } catch (error) {
      const words = describeApiError(error);
      setProblem(`${words.title}: ${words.detail}`);
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (path: string) => (issues[path] ? { error: true, validationMessage: issues[path] } : {});
  return (
    <Form onSubmit={() => submit()} preventDefault={true}>
      <Flex direction="column" gap="sm">
        <Text>{`Current version: ${current.version} (${current.label}). Saving creates a new version; the old one is kept.`}</Text>
        {published ? (
          <Alert title="New policy version published" variant="success">
            {`Version ${published} is now in force for new decisions.`}
          </Alert>
        ) : null}
        {TunedRole.options.map((role) => (
          <Flex key={role} direction="column" gap="xs">
            <Heading>{`${role[0]?.toUpperCase()}${role.slice(1)} agent: concessions`}</Heading>
            {(Object.keys(CONCESSION_LABELS) as ConcessionField[]).map((field) => (
              <NumberInput
                key={field}
                name={`${role}.${field}`}
                label={CONCESSION_LABELS[field]}
                value={draft.roles[role].concessions[field]}
                min={TUNING_LIMITS.concessions[field].min}
                max={TUNING_LIMITS.concessions[field].max}
                precision={field === 'max_count' ? 0 : 1}
                onChange={(value) => setConcession(role, field, value)}
                {...fieldError(`roles.${role}.concessions.${field}`)}
              />
            ))}
          </Flex>
        ))}
        <Heading>Timeouts</Heading>
        {(Object.keys(TIMEOUT_LABELS) as TimeoutField[]).map((field) => (
          <NumberInput
            key={field}
            name={`timeouts.${field}`}
            label={TIMEOUT_LABELS[field]}
            value={draft.timeouts[field]}
            min={TUNING_LIMITS.timeouts[field].min}
            max={TUNING_LIMITS.timeouts[field].max}
            precision={0}
            onChange={(value) => setTimeoutField(field, value)}
            {...fieldError(`timeouts.${field}`)}
          />
        ))}
        <TextArea
          label="Why this change (recorded with the new version)"
          name="policy-reason"
          value={reason}
          maxLength={500}
          onChange={(value) => setReason(value)}
          onInput={(value) => setReason(value)}
        />
        {problem ? (
          <Alert title="Not saved" variant="error">
            {problem}
          </Alert>
        ) : null}
        <Button type="submit" variant="primary" disabled={busy} testId="publish-policy">
          Publish new version
        </Button>
      </Flex>
    </Form>
  );
}
