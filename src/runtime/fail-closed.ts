import type { ErrorCode } from '../errors/index.ts';
import { ERROR_CODES } from '../errors/index.ts';
import type { Decision } from '../model/index.ts';
import { ProposalKind } from '../model/index.ts';

/**
 * The `deny` an agent gets when Guardline cannot answer properly (law 2): the store did not make
 * the decision durable, or the session threw. It is never recorded as the session's decision; it
 * only stops the agent from acting.
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
        rule: 'runtime.fail_closed',
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
