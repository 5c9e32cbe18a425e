/** Rules for acts with no content to analyze: transfer, extension, meeting, role handoff. */
import type { ProposalOf } from '../../model/proposal.ts';
import type { Tier } from '../../model/roles.ts';
import { tierVerdict } from '../tiers.ts';
import type { SessionView, Verdict } from '../types.ts';
import { allow, combine, deny, extended, reason } from '../verdict.ts';

export function tierOf(view: SessionView, kind: string): Tier {
  const tiers = view.policy.policy.roles[view.role].tiers as Record<string, Tier | undefined>;
  return tiers[kind] ?? 'forbidden';
}

export function transferVerdict(view: SessionView, p: ProposalOf<'transfer'>): Verdict {
  const target = view.policy.policy.transfers.find((t) => t.id === p.params.target);
  if (!target)
    return deny(
      reason('transfer.unknown_target', `There is no transfer target "${p.params.target}" in the policy.`, {
        target: p.params.target,
      }),
    );
  const allowed = view.policy.policy.roles[view.role].transfer_targets.includes(target.id);
  if (!allowed)
    return deny(
      reason('transfer.target_not_allowed', `The ${view.role} role may not transfer to ${target.label}.`, {
        target: target.id,
        role: view.role,
      }),
    );
  return tierVerdict(
    tierOf(view, 'transfer'),
    `Transferring to ${target.label}`,
    'transfer.tier',
    { target: target.id, role: view.role },
    { target: target.id },
  );
}

export function extendVerdict(view: SessionView, p: ProposalOf<'extend_call'>): Verdict {
  const max = view.policy.policy.timeouts.max_extension_seconds;
  if (p.params.seconds > max) {
    return deny(
      reason(
        'extend.above_max',
        `Extending by ${p.params.seconds} s is more than the ${max} s one extension may add.`,
        { seconds: p.params.seconds, max },
      ),
    );
  }
  return tierVerdict(
    tierOf(view, 'extend_call'),
    `Extending the call by ${p.params.seconds} s`,
    'extend.tier',
    { seconds: p.params.seconds },
    { seconds: p.params.seconds },
  );
}

export function meetingVerdict(view: SessionView, p: ProposalOf<'book_meeting'>): Verdict {
  return tierVerdict(
    tierOf(view, 'book_meeting'),
    `Booking a ${p.params.durationMinutes}-minute meeting`,
    'meeting.tier',
    { start: p.params.start },
    { start: p.params.start },
  );
}

export function endCallVerdict(): Verdict {
  return allow(reason('end_call.always', 'Ending the call is always allowed.', {}));
}

/** Role handoff: allowed transitions, consent, no pending approval — and the new role starts from its own mandate (law 5). */
export function handoffVerdict(view: SessionView, p: ProposalOf<'role_handoff'>): Verdict {
  const to = p.params.to;
  const from = view.role;
  const rules = view.policy.policy.roles[from].handoff;
  const facts = { from, to };
  if (to === from) return deny(reason('handoff.same_role', `The agent is already in the ${to} role.`, facts));
  const checks: Verdict[] = [
    tierVerdict(tierOf(view, 'role_handoff'), `Handing off from ${from} to ${to}`, 'handoff.tier', facts, { to }),
  ];
  if (!rules.to.includes(to))
    checks.push(
      deny(
        reason(
          'handoff.not_allowed',
          `The ${from} role may not hand off to ${to} (allowed: ${rules.to.join(', ') || 'none'}).`,
          facts,
        ),
      ),
    );
  const consentOk = view.consent === 'granted' || view.consent === 'not_required';
  if (rules.requires_consent && !consentOk)
    checks.push(
      deny(
        reason(
          'handoff.needs_consent',
          `The customer has not confidently consented yet (consent is ${view.consent}).`,
          extended(facts, { consent: view.consent }),
        ),
      ),
    );
  if (rules.requires_no_pending_approval && view.pending)
    checks.push(
      deny(
        reason('handoff.approval_pending', `Approval ${view.pending.approvalId} is still pending.`, {
          ...facts,
          approvalId: view.pending.approvalId,
        }),
      ),
    );
  return combine(checks);
}
