// The console's sessions view: live and recent sessions, and the selected session's decisions and
// directives with their rationale. Plain ES module, no build step.
import { $, api, h, short, status, time } from '/console/dom.js';
import { state } from '/console/state.js';

function sessionRow(s, withEnd) {
  return h(
    'tr',
    {
      class: `clickable${state.selected === s.id ? ' selected' : ''}`,
      'data-session-id': s.id,
      onclick: () => select(s.id),
    },
    h('td', { title: s.id }, short(s.id)),
    h('td', {}, s.agentId),
    h('td', {}, s.role),
    h('td', {}, time(s.startedAt)),
    withEnd ? h('td', {}, s.endedAt ? `${time(s.endedAt)} (${s.endReason ?? ''})` : 'live') : null,
  );
}

export async function refreshSessions() {
  const data = await api('/sessions');
  $('#live-sessions tbody').replaceChildren(...data.live.map((s) => sessionRow(s, false)));
  if (data.live.length === 0)
    $('#live-sessions tbody').append(
      h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No live session. Play the sample call to see one.')),
    );
  $('#recent-sessions tbody').replaceChildren(...data.recent.map((s) => sessionRow(s, true)));
  if (state.selected) await refreshDetail();
}

export function select(id) {
  state.selected = id;
  for (const row of document.querySelectorAll('[data-session-id]'))
    row.classList.toggle('selected', row.dataset.sessionId === id);
  refreshDetail().catch((e) => status(e.message, true));
}

function rationale(items) {
  return h(
    'ul',
    { class: 'rationale' },
    items.map((r) =>
      h(
        'li',
        {},
        h('code', {}, r.rule),
        ' ',
        r.message,
        r.evidence ? h('q', { class: 'evidence' }, r.evidence.text) : null,
      ),
    ),
  );
}

async function refreshDetail() {
  const d = await api(`/sessions/${encodeURIComponent(state.selected)}`);
  const s = d.session;
  const rows = [
    ...d.decisions.map((x) => ({
      at: x.at,
      kind: x.kind,
      tag: x.outcome,
      items: x.rationale,
      version: x.policyVersion,
      id: x.proposalId,
    })),
    ...d.directives.map((x) => ({
      at: x.at,
      kind: `directive: ${x.kind}`,
      tag: 'directive',
      items: [{ rule: x.rule, message: x.message }],
      version: x.policyVersion,
      id: x.id,
    })),
  ].sort((a, b) => a.at - b.at);
  $('#session-detail').replaceChildren(
    h('h2', {}, `Session ${short(s.id)}`),
    h(
      'p',
      { class: 'muted' },
      `${s.agentId} · ${s.role} · ${s.channel} · policy ${s.policyVersion} · ${s.live ? 'live' : `ended (${s.endReason})`}`,
    ),
    h(
      'table',
      { class: 'decisions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Time'),
          h('th', {}, 'Action'),
          h('th', {}, 'Outcome'),
          h('th', {}, 'Rationale'),
          h('th', {}, 'Policy'),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { 'data-outcome': r.tag },
            h('td', {}, time(r.at)),
            h('td', {}, r.kind),
            h('td', {}, h('span', { class: `tag ${r.tag}` }, r.tag.replace('_', ' '))),
            h('td', {}, rationale(r.items)),
            h('td', { class: 'muted' }, r.version),
          ),
        ),
      ),
    ),
  );
}
