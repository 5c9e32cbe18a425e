/** Shared test helpers: the default policy, variants of it, session metadata and a started session. */
import { readFileSync } from 'node:fs';
import type { Policy } from '../../policies/schema.ts';
import type { Proposal, SessionMeta } from '../../src/model/index.ts';
import { DEFAULT_POLICY_PATH, type LoadedPolicy, parsePolicy, versionOf } from '../../src/policy/index.ts';
import { GuardedSession } from '../../src/session/guarded-session.ts';

/** 10:00 in New York on a weekday: inside calling hours. */
export const T0 = Date.parse('2026-11-18T15:00:00Z');

let cached: LoadedPolicy | null = null;
export function defaultPolicy(): LoadedPolicy {
  if (!cached) {
    const parsed = parsePolicy(readFileSync(DEFAULT_POLICY_PATH, 'utf8'));
    if (!parsed.ok) throw new Error(`default policy invalid: ${JSON.stringify(parsed.issues)}`);
    cached = parsed.loaded;
  }
  return cached;
}

/** The default policy changed by `edit` (on a deep copy), re-versioned. */
export function policyWith(edit: (p: Policy) => void): LoadedPolicy {
  const copy = structuredClone(defaultPolicy().policy);
  edit(copy);
  return versionOf(copy);
}

export function meta(overrides: Partial<SessionMeta> = {}): SessionMeta {
  return {
    sessionId: 's1',
    callId: 'call-1',
    channel: 'voice',
    direction: 'outbound',
    role: 'closing',
    jurisdiction: 'NY',
    timezone: 'America/New_York',
    agentId: 'agent-1',
    tenantId: 'acme',
    contactId: '101',
    ...overrides,
  };
}

/** A started session. NY needs only the AI disclosure; `disclosed: true` makes it. */
export function started(
  opts: { meta?: Partial<SessionMeta>; policy?: LoadedPolicy; disclosed?: boolean } = {},
): GuardedSession {
  const session = new GuardedSession(meta(opts.meta), opts.policy ?? defaultPolicy());
  session.apply({ type: 'start', at: T0 });
  if (opts.disclosed ?? true) {
    const text = session.policy.policy.consent.disclosure_text;
    session.apply({
      type: 'propose',
      at: T0 + 1000,
      proposal: { id: 'p-disclose', sessionId: session.meta.sessionId, kind: 'say', params: { text } },
    });
  }
  return session;
}

let n = 0;
/** A proposal of `kind` for session `s1` (or `sessionId`). */
export function proposal<K extends Proposal['kind']>(
  kind: K,
  params: Extract<Proposal, { kind: K }>['params'],
  extra: { override?: string; sessionId?: string; id?: string } = {},
): Proposal {
  n += 1;
  return {
    id: extra.id ?? `p${n}`,
    sessionId: extra.sessionId ?? 's1',
    kind,
    params,
    ...(extra.override ? { override: extra.override } : {}),
  } as Proposal;
}

/** Applies a proposal and returns its decision. */
export function decideOn(session: GuardedSession, p: unknown, at = T0 + 5000) {
  const out = session.apply({ type: 'propose', at, proposal: p });
  const d = out.find((o) => o.type === 'decision');
  if (d?.type !== 'decision') throw new Error('no decision');
  return d.decision;
}
