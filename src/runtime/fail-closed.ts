import type { ErrorCode } from '../errors/index.ts';
import { ERROR_CODES } from '../errors/index.ts';
import type { Decision } from '../model/index.ts';
import { ProposalKind } from '../model/index.ts';

/** The rule every fail-closed deny carries. */
export const FAIL_CLOSED_RULE = 'runtime.fail_closed';

/** Whether `decision` is a fail-closed deny (see `failClosedDecision`). */
export function isFailClosed(decision: Pick<Decision, 'rationale'>): boolean {
  return decision.rationale[0]?.rule === FAIL_CLOSED_RULE;
}

/**
 * The `deny` an agent gets when Guardline cannot answer properly (law 2): the store did not make
 * the decision durable, or the session threw. It only stops the agent from acting. The one for a
 * session that threw is recorded and audited (the one for a failed store write cannot be), but it
 * is not part of the session's replay record: the input it answers was never applied.
 */
export function failClosedDecision(input: {
  sessionId: string;
  proposal: unknown;
  policyVersion: string;
  at: number;
  seq: number;
  code: ErrorCode;
  detail: string;
}): Decision {
  const p = (input.proposal ?? {}) as { id?: unknown; kind?: unknown };
  const proposalId = typeof p.id === 'string' ? p.id : 'unknown';
  const kind = ProposalKind.safeParse(p.kind);
  return {
    id: `${input.sessionId}:failclosed:${input.seq}`,
    proposalId,
    sessionId: input.sessionId,
    kind: kind.success ? kind.data : 'unknown',
    outcome: 'deny',
    rationale: [
      {
        rule: FAIL_CLOSED_RULE,
        facts: { code: input.code },
        message: `${ERROR_CODES[input.code].message} ${input.detail}`,
      },
    ],
    policyVersion: input.policyVersion,
    stateRef: { seq: input.seq, state: 'unknown' },
    at: input.at,
    code: input.code,
  };
}
