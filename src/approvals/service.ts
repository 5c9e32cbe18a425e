import { GuardlineError } from '../errors/index.ts';
import type { ApprovalRow, OverrideRow, Store } from '../store/types.ts';
import { type OverrideRefusal, type OverrideUse, overrideAudit, refusalOf } from './override-use.ts';
import { type Approver, expired, expiryAudit, type Verdict, vote } from './transition.ts';

export interface ApprovalServiceOptions {
  /**
   * How long a minted override stays usable (default 10 minutes), or a function of the request
   * (e.g. the policy's `approvals.override_ttl_seconds` for the version it was asked under).
   */
  overrideTtlMs?: number | ((approval: ApprovalRow) => number);
}

export type VoteResult =
  | { status: 'pending' | 'denied'; approval: ApprovalRow; changed: boolean }
  | { status: 'approved'; approval: ApprovalRow; override: OverrideRow | null; changed: boolean };

export type OverrideResult = { ok: true; override: OverrideRow } | { ok: false; reason: OverrideRefusal };

/** The live-call fact a session needs when its approval is granted (see `src/session/inputs.ts`). */
export function overrideGrantOf(approval: ApprovalRow, override: OverrideRow) {
  return {
    id: override.id,
    approvalId: approval.id,
    kind: override.kind,
    paramsHash: override.paramsHash,
    bound: override.bound,
    expiresAt: override.expiresAt,
    approvers: approval.votes.filter((v) => v.verdict === 'approve').map((v) => v.approverId),
  };
}

const MAX_RACE_RETRIES = 20;

/**
 * Approvals over the store: every step is one durable, audited, conditional write (optimistic
 * concurrency on the row's version), so concurrent approvers on any node are decided exactly
 * once, as the policy says.
 */
export class ApprovalService {
  private readonly overrideTtlMs: (approval: ApprovalRow) => number;

  constructor(
    private readonly store: Store,
    options: ApprovalServiceOptions = {},
  ) {
    const ttl = options.overrideTtlMs ?? 10 * 60_000;
    this.overrideTtlMs = typeof ttl === 'number' ? () => ttl : ttl;
  }

  approve(id: string, approver: Approver, reason: string, now: number): Promise<VoteResult> {
    return this.vote(id, approver, 'approve', reason, now);
  }

  deny(id: string, approver: Approver, reason: string, now: number): Promise<VoteResult> {
    return this.vote(id, approver, 'deny', reason, now);
  }

  private async vote(
    id: string,
    approver: Approver,
    verdict: Verdict,
    reason: string,
    now: number,
  ): Promise<VoteResult> {
    for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
      const row = await this.store.approvals.get(id);
      if (!row) throw new GuardlineError('GL_APPROVAL_NOT_FOUND', `No approval ${id}.`);
      const step = vote(row, approver, verdict, reason, now, this.overrideTtlMs(row));
      if (step.kind === 'unchanged') return this.result(row, false);
      if (step.kind === 'refuse') {
        if (step.next) {
          if (!(await this.store.approvals.update(step.next, row.version, step.audit))) continue;
        } else {
          await this.store.audit.append([step.audit]);
        }
        throw new GuardlineError(step.code, step.detail, { approvalId: id, status: step.next?.status ?? row.status });
      }
      if (await this.store.approvals.update(step.next, row.version, step.audit, step.override)) {
        return this.result({ ...step.next, version: row.version + 1 }, true, step.override ?? null);
      }
      // Another approver (on any node) changed it first: read again and decide on the new state.
    }
    throw new GuardlineError(
      'GL_STORE_WRITE_FAILED',
      `Approval ${id} kept changing under ${MAX_RACE_RETRIES} attempts.`,
    );
  }

  private async result(row: ApprovalRow, changed: boolean, override?: OverrideRow | null): Promise<VoteResult> {
    if (row.status === 'approved') {
      const minted = override ?? (row.overrideId ? await this.store.overrides.get(row.overrideId) : null);
      return { status: 'approved', approval: row, override: minted, changed };
    }
    if (row.status === 'expired') throw new GuardlineError('GL_APPROVAL_EXPIRED', `${row.id} has expired.`);
    return { status: row.status, approval: row, changed };
  }

  /** Expires every pending request past its deadline; returns those this call expired. */
  async expireDue(now: number): Promise<ApprovalRow[]> {
    const done: ApprovalRow[] = [];
    for (const row of await this.store.approvals.listDue(now)) {
      const next = expired(row, now);
      if (await this.store.approvals.update(next, row.version, expiryAudit(row, now))) {
        done.push({ ...next, version: row.version + 1 });
      }
    }
    return done;
  }

  /** Consumes an override for one act, or says why not; both are audited. */
  async useOverride(overrideId: string, use: OverrideUse, now: number): Promise<OverrideResult> {
    let refusal: OverrideRefusal | null = null;
    const { consumed, row } = await this.store.overrides.consume(
      overrideId,
      { decisionId: use.decisionId, now },
      (r) => {
        refusal = refusalOf(r, use, now);
        return { allowed: refusal === null, audit: overrideAudit(overrideId, r, use, refusal, now) };
      },
    );
    if (consumed && row) return { ok: true, override: { ...row, usedAt: now, usedByDecision: use.decisionId } };
    return { ok: false, reason: refusal ?? 'already_used' };
  }
}

/**
 * Resolves with the request once it is decided (approved, denied, expired), or null when
 * `timeoutMs` passes first. Events come from any node sharing the store; it also re-reads every
 * `pollMs` (default 1 s) so a missed notification or another process on a SQLite file only delays it.
 */
export async function awaitDecision(
  store: Store,
  approvalId: string,
  timeoutMs: number,
  pollMs = 1000,
): Promise<ApprovalRow | null> {
  let settle: (row: ApprovalRow | null) => void = () => {};
  const settled = new Promise<ApprovalRow | null>((resolve) => {
    settle = resolve;
  });
  const check = async () => {
    const row = await store.approvals.get(approvalId).catch(() => null);
    if (row && row.status !== 'pending') settle(row);
  };
  const unsubscribe = await store.onApproval((event) => {
    if (event.approvalId === approvalId && event.status !== 'pending') void check();
  });
  const timer = setTimeout(() => settle(null), timeoutMs);
  const poll = setInterval(() => void check(), pollMs);
  try {
    await check();
    return await settled;
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
    unsubscribe();
  }
}
