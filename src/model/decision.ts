import { z } from 'zod';
import { ProposalKind } from './proposal.ts';

export const Outcome = z.enum(['allow', 'deny', 'needs_approval', 'sanitize']);
export type Outcome = z.infer<typeof Outcome>;

/** The words in an utterance that triggered a rule: the CRM card and the audit log quote them. */
export const Evidence = z.object({
  text: z.string(),
  span: z.tuple([z.number().int(), z.number().int()]),
});
export type Evidence = z.infer<typeof Evidence>;

/** One machine-readable reason. The same words appear on the CRM card, in logs and in replay diffs. */
export const RationaleItem = z.object({
  rule: z.string(),
  facts: z.record(z.string(), z.unknown()),
  message: z.string(),
  evidence: Evidence.optional(),
});
export type RationaleItem = z.infer<typeof RationaleItem>;

/** Where in the session the decision was made: the input's sequence number and the state. */
export const StateRef = z.object({ seq: z.number().int().nonnegative(), state: z.string() });
export type StateRef = z.infer<typeof StateRef>;

export const ApprovalRequest = z.object({
  /** Deterministic: `${decisionId}.approval`. */
  id: z.string(),
  kind: ProposalKind,
  /** The exact bound asked for (e.g. `{ percent: 25 }`). */
  bound: z.record(z.string(), z.unknown()),
  /** Hash of the proposal's parameters; the override minted on approval is bound to it. */
  paramsHash: z.string(),
  reason: z.string(),
  approverRole: z.string(),
  approversRequired: z.number().int().min(1).max(2),
  deadline: z.number().int(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const Decision = z.object({
  id: z.string(),
  proposalId: z.string(),
  sessionId: z.string(),
  kind: z.union([ProposalKind, z.literal('unknown')]),
  outcome: Outcome,
  rationale: z.array(RationaleItem).min(1),
  policyVersion: z.string(),
  stateRef: StateRef,
  at: z.number().int(),
  /** For `sanitize`: the modified parameters the agent must use instead of its own. */
  sanitized: z.record(z.string(), z.unknown()).optional(),
  /** For `needs_approval`: the request created, and the line the agent says meanwhile. */
  approval: ApprovalRequest.optional(),
  fallback: z.string().optional(),
  /** Set when a one-time override was consumed by this decision. */
  overrideId: z.string().optional(),
  /** Stable `GL_*` code when the decision is a fail-closed deny. */
  code: z.string().optional(),
});
export type Decision = z.infer<typeof Decision>;

/** Severity order used to combine several verdicts into one (the worst wins). */
export const OUTCOME_SEVERITY: Record<Outcome, number> = { allow: 0, sanitize: 1, needs_approval: 2, deny: 3 };
