// The console's approvals view: pending approval cards with a reason and Approve / Deny, and the
// pending count on the tab. Plain ES module, no build step.
import { $, api, bound, h, short, status } from '/console/dom.js';

function approvalCard(a, now) {
  const reason = h('input', {
    class: 'reason',
    type: 'text',
    placeholder: 'reason (at least 3 characters)',
    'aria-label': 'reason',
  });
  const act = (verdict) => async () => {
    if (!reason.value.trim()) {
      reason.focus();
      return status('Give a reason for the decision.', true);
    }
    try {
      const r = await api(`/approvals/${encodeURIComponent(a.id)}/${verdict}`, { reason: reason.value.trim() });
      status(`${a.id}: ${r.status}`);
      await refreshApprovals();
    } catch (e) {
      status(e.message, true);
    }
  };
  const left = Math.max(0, Math.round((a.deadline - now) / 1000));
  return h(
    'article',
    { class: 'approval', 'data-approval-id': a.id },
    h('h3', {}, `${a.kind} · ${bound(a.bound)}`),
    h('p', {}, a.reason),
    h(
      'p',
      { class: 'muted' },
      `session ${short(a.sessionId)} · agent ${a.agentId ?? '—'} · needs ${a.approversRequired} × ${a.approverRole} · ${left}s left`,
    ),
    a.votes.length
      ? h('p', { class: 'muted' }, `votes: ${a.votes.map((v) => `${v.approverId} ${v.verdict}`).join(', ')}`)
      : null,
    h(
      'div',
      { class: 'actions' },
      reason,
      h('button', { type: 'button', class: 'approve primary', onclick: act('approve') }, 'Approve'),
      h('button', { type: 'button', class: 'deny', onclick: act('deny') }, 'Deny'),
    ),
  );
}

export async function refreshApprovals() {
  const data = await api('/approvals');
  const badge = $('#approval-count');
  badge.hidden = data.pending.length === 0;
  badge.textContent = String(data.pending.length);
  const box = $('#approvals');
  // Keep the cards whose reason someone is typing; add new ones, drop decided ones.
  const ids = new Set(data.pending.map((a) => a.id));
  for (const card of box.querySelectorAll('[data-approval-id]')) if (!ids.has(card.dataset.approvalId)) card.remove();
  for (const a of data.pending) {
    const existing = box.querySelector(`[data-approval-id="${CSS.escape(a.id)}"]`);
    if (!existing) box.append(approvalCard(a, data.now));
  }
  $('#approvals > p.muted')?.remove();
  if (data.pending.length === 0) box.append(h('p', { class: 'muted' }, 'Nothing is waiting for approval.'));
}
