import type { SnapshotFrom } from 'xstate';
import type { SessionMachine } from '../../machines/session/machine.ts';
import type { SessionView } from '../gate/types.ts';
import type { Role } from '../model/roles.ts';

type Snapshot = SnapshotFrom<SessionMachine>;

const flat = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}.${flat(v)}`)
        .join(',');

/** The flattened snapshot the gate reads. */
export function viewOf(snapshot: Snapshot): SessionView {
  const value = snapshot.value as Record<string, unknown>;
  const c = snapshot.context;
  const lifecycle = (typeof value.lifecycle === 'string' ? value.lifecycle : 'live') as SessionView['lifecycle'];
  const role = (value.role === 'init' ? c.meta.role : value.role) as Role;
  return {
    meta: c.meta,
    policy: c.policy,
    role,
    lifecycle,
    consent: value.consent as SessionView['consent'],
    callingWindowOpen: value.callingWindow === 'open',
    transcriptionLost: value.transcription === 'lost',
    holdReason: c.holdReason,
    aiQuestionPending: c.aiQuestionPending,
    negotiation: c.negotiation,
    pending: c.pending,
    overrides: c.overrides,
    budget: c.budget,
    state: ['lifecycle', 'consent', 'role', 'authority', 'negotiation', 'callingWindow', 'transcription', 'control']
      .map((region) => flat(value[region]))
      .join('|'),
  };
}
