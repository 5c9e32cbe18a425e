import type { Decision, Directive, SessionMeta } from '../model/index.ts';

/** What the call record says about an approval (a subset of the store's ApprovalRow). */
export interface ApprovalSummary {
  id: string;
  decisionId: string;
  kind: string;
  bound: Record<string, unknown>;
  reason: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  votes: { approverId: string; verdict: 'approve' | 'deny'; reason: string; at: number }[];
}

export interface CallRecordInput {
  meta: SessionMeta;
  startedAt: number;
  endedAt: number;
  endReason?: string;
  /** A short account of the conversation, if the runtime has one. */
  summary?: string;
  decisions: readonly Decision[];
  approvals: readonly ApprovalSummary[];
  directives: readonly Directive[];
  /** The customer opted out: the record leads with it. */
  optedOut?: boolean;
  /** Guardline's public URL (GUARDLINE_PUBLIC_URL); the record links to the session there. */
  publicUrl: string;
}

export interface CallRecord {
  /** A call engagement for voice sessions, a note for message threads. */
  object: 'call' | 'note';
  properties: Record<string, string>;
}

/** HubSpot keeps at most 65,536 characters in a note or call body. */
const MAX_BODY = 65_536;
const RESERVE = 600;

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const clock = (at: number) => new Date(at).toISOString().slice(11, 19);
const OUTCOME_LABEL = { allow: 'ALLOWED', deny: 'DENIED', needs_approval: 'NEEDS APPROVAL', sanitize: 'CHANGED' };

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

function bound(b: Record<string, unknown>): string {
  const parts = Object.entries(b).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function approvalLine(a: ApprovalSummary): string {
  const approvers = a.votes.filter((v) => v.verdict === 'approve');
  const deniers = a.votes.filter((v) => v.verdict === 'deny');
  const who = (vs: ApprovalSummary['votes']) =>
    vs.map((v) => `${esc(v.approverId)} at ${clock(v.at)} UTC${v.reason ? ` (“${esc(v.reason)}”)` : ''}`).join(', ');
  const head = `<strong>${esc(a.kind)}</strong>${esc(bound(a.bound))}: ${esc(a.reason)}`;
  switch (a.status) {
    case 'approved':
      return `${head} — <strong>approved</strong> by ${who(approvers)}`;
    case 'denied':
      return `${head} — <strong>denied</strong> by ${who(deniers)}`;
    case 'expired':
      return `${head} — <strong>expired</strong> unanswered${approvers.length ? ` (approved so far by ${who(approvers)})` : ''}`;
    default:
      return `${head} — still <strong>pending</strong> when the session ended`;
  }
}

function decisionLine(d: Decision, approvals: ReadonlyMap<string, ApprovalSummary>): string {
  const why = d.rationale.map((r) => `${esc(r.message)} <em>[${esc(r.rule)}]</em>`).join('; ');
  const extra: string[] = [];
  if (d.sanitized) extra.push(`used instead: ${esc(bound(d.sanitized).slice(2, -1))}`);
  if (d.fallback) extra.push(`agent said meanwhile: “${esc(d.fallback)}”`);
  const approval = approvals.get(d.id);
  if (approval) extra.push(`approval ${esc(approval.status)}`);
  if (d.overrideId) extra.push('used a one-time manager override');
  const tail = extra.length > 0 ? ` (${extra.join('; ')})` : '';
  return `<li>${clock(d.at)} <strong>${OUTCOME_LABEL[d.outcome]}</strong> ${esc(d.kind)} — ${why}${tail}</li>`;
}

/**
 * Builds the engagement Guardline leaves on the contact/deal at session end: what happened and
 * why — every consequential decision with its outcome and rationale, approvals with who approved,
 * runtime directives (opt-out, end of call), and a link to the Guardline session. Pure.
 */
export function buildCallRecord(input: CallRecordInput): CallRecord {
  const { meta } = input;
  const link = `${input.publicUrl.replace(/\/+$/, '')}/sessions/${encodeURIComponent(meta.sessionId)}`;
  const approvals = new Map(input.approvals.map((a) => [a.decisionId, a]));
  const ordered = [...input.decisions].sort((a, b) => a.at - b.at);
  // Every allowed line of speech is checked too; listing each would bury what matters.
  const routineSpeech = ordered.filter((d) => d.kind === 'say' && d.outcome === 'allow');
  const notable = ordered.filter((d) => !(d.kind === 'say' && d.outcome === 'allow'));
  const counts = { allow: 0, deny: 0, needs_approval: 0, sanitize: 0 };
  for (const d of ordered) counts[d.outcome]++;

  const head: string[] = [];
  if (input.optedOut) {
    head.push(
      '<p><strong>⚠ The customer opted out. Do not contact them again; the do-not-call marker was set.</strong></p>',
    );
  }
  head.push(
    `<p><strong>Guardline record</strong> — AI ${esc(meta.role)} agent ${esc(meta.agentId)}, ${meta.channel === 'voice' ? 'call' : 'message thread'} (${esc(meta.direction)}), ` +
      `${new Date(input.startedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC, ${duration(input.endedAt - input.startedAt)}` +
      `${input.endReason ? `; ended: ${esc(input.endReason)}` : ''}.</p>`,
  );
  if (input.summary) head.push(`<p>${esc(input.summary)}</p>`);
  head.push(
    `<p>Decisions: ${counts.allow} allowed, ${counts.sanitize} changed, ${counts.needs_approval} needed approval, ${counts.deny} denied` +
      `${routineSpeech.length > 0 ? ` (${routineSpeech.length} routine lines of speech allowed, not listed)` : ''}.</p>`,
  );
  const footer = `<p><a href="${esc(link)}">Open the Guardline session</a> for the full transcript, decisions and audit trail.</p>`;

  const sections: string[] = [];
  const listed: string[] = [];
  let budget = MAX_BODY - RESERVE - head.join('').length - footer.length;
  const approvalItems = input.approvals.map((a) => `<li>${approvalLine(a)}</li>`);
  const directiveItems = [...input.directives]
    .sort((a, b) => a.at - b.at)
    .map(
      (d) => `<li>${clock(d.at)} <strong>${esc(d.kind)}</strong> — ${esc(d.message)} <em>[${esc(d.rule)}]</em></li>`,
    );
  for (const [title, items] of [
    ['Approvals', approvalItems],
    ['Guardline instructions to the agent', directiveItems],
  ] as const) {
    if (items.length === 0) continue;
    const html = `<p><strong>${title}</strong></p><ul>${items.join('')}</ul>`;
    sections.push(html);
    budget -= html.length;
  }
  let omitted = 0;
  for (const d of notable) {
    const line = decisionLine(d, approvals);
    if (line.length > budget) {
      omitted++;
      continue;
    }
    listed.push(line);
    budget -= line.length;
  }
  const decisionsHtml =
    listed.length > 0 || omitted > 0
      ? `<p><strong>Decisions</strong></p><ul>${listed.join('')}</ul>${omitted > 0 ? `<p>${omitted} more decisions are on the Guardline session page.</p>` : ''}`
      : '';
  const body = [...head, decisionsHtml, ...sections, footer].join('');
  const title = `Guardline: AI ${meta.role} ${meta.channel === 'voice' ? 'call' : 'thread'} — ${counts.deny} denied, ${counts.needs_approval} approvals${input.optedOut ? ', OPTED OUT' : ''}`;
  const timestamp = new Date(input.endedAt).toISOString();
  if (meta.channel === 'message') {
    return { object: 'note', properties: { hs_timestamp: timestamp, hs_note_body: body } };
  }
  return {
    object: 'call',
    properties: {
      hs_timestamp: new Date(input.startedAt).toISOString(),
      hs_call_title: title,
      hs_call_body: body,
      hs_call_status: 'COMPLETED',
      hs_call_direction: meta.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
      hs_call_duration: String(Math.max(0, input.endedAt - input.startedAt)),
    },
  };
}
