import type { CardApproval, Decision, Outcome, ProposalKind } from '../shared/contract.ts';

export type TagVariant = 'danger' | 'warning' | 'info' | 'success' | 'default';

/** How each outcome reads on the card, and its StatusTag colour. */
export const OUTCOME_TAGS: Record<Outcome, { label: string; variant: TagVariant }> = {
  allow: { label: 'Allowed', variant: 'success' },
  sanitize: { label: 'Allowed, modified', variant: 'info' },
  needs_approval: { label: 'Needs approval', variant: 'warning' },
  deny: { label: 'Denied', variant: 'danger' },
};

const ACTION_LABELS: Record<ProposalKind | 'unknown', string> = {
  say: 'Say',
  concession: 'Concession',
  transfer: 'Transfer',
  end_call: 'End call',
  extend_call: 'Extend call',
  crm_write: 'CRM update',
  book_meeting: 'Book meeting',
  send_message: 'Send message',
  role_handoff: 'Role handoff',
  unknown: 'Unknown action',
};

export function actionLabel(kind: ProposalKind | 'unknown'): string {
  return ACTION_LABELS[kind];
}

/** `{ percent: 25 }` → "25%", `{ usd: 300 }` → "$300", `{ months: 2 }` → "2 months"; else key: value pairs. */
export function describeBound(bound: Record<string, unknown> | undefined): string {
  if (!bound) return '—';
  const parts = Object.entries(bound).map(([key, value]) => {
    if (typeof value === 'number' && (key === 'percent' || key.endsWith('_percent'))) return `${value}%`;
    if (typeof value === 'number' && (key === 'usd' || key === 'amount' || key.endsWith('_usd'))) return `$${value}`;
    if (typeof value === 'number' && (key === 'months' || key.endsWith('_months'))) return `${value} months`;
    return `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
  });
  return parts.length > 0 ? parts.join(', ') : '—';
}

/** The rationale a rep reads, one line per rule. */
export function rationaleText(decision: Decision): string {
  return decision.rationale.map((item) => item.message).join(' ');
}

/** The words that triggered the decision, quoted; '' when no rule quoted speech. */
export function evidenceText(decision: Decision): string {
  const quotes = decision.rationale.flatMap((item) => (item.evidence ? [`“${item.evidence.text}”`] : []));
  return quotes.join(' ');
}

export function formatTime(epochMs: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(
      epochMs,
    );
  } catch {
    return new Date(epochMs).toISOString().slice(11, 19);
  }
}

/** "4:05 left", or "expired" once the deadline has passed. */
export function countdown(deadline: number, now: number): string {
  const left = Math.ceil((deadline - now) / 1000);
  if (left <= 0) return 'expired';
  const minutes = Math.floor(left / 60);
  const seconds = left % 60;
  return `${minutes}:${String(seconds).padStart(2, '0')} left`;
}

export function isPending(approval: CardApproval, now: number): boolean {
  return approval.status === 'pending' && approval.deadline > now;
}

export const APPROVAL_STATUS_TAGS: Record<CardApproval['status'], { label: string; variant: TagVariant }> = {
  pending: { label: 'Waiting', variant: 'warning' },
  approved: { label: 'Approved', variant: 'success' },
  denied: { label: 'Denied', variant: 'danger' },
  expired: { label: 'Expired', variant: 'default' },
};
