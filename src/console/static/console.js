// The Guardline console: polls the console API and renders sessions, decisions, approvals,
// policy tuning, the kill switch and risk signals. Plain ES module, no build step.
import { lines, stackedBars } from '/console/charts.js';
import { killSwitch } from '/console/kill-switch.js';

const POLL_MS = 1500;
const SIGNALS_MS = 5000;
const $ = (sel, root = document) => root.querySelector(sel);
const state = {
  view: 'sessions',
  selected: null,
  roles: [],
  token: sessionStorage.getItem('guardline-token') ?? '',
};

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '—');
const dateTime = (ms) => (ms ? new Date(ms).toLocaleString() : '—');
const short = (id) => (id.length > 28 ? `${id.slice(0, 12)}…${id.slice(-12)}` : id);
const bound = (b) =>
  Object.entries(b ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

function status(text, isError = false) {
  const p = $('#status');
  p.textContent = text;
  p.classList.toggle('error', isError);
}

async function api(path, body) {
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const init = { headers };
  if (body !== undefined) {
    init.method = 'POST';
    headers['content-type'] = 'application/json';
    headers['x-guardline-console'] = '1';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`/console/api${path}`, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401) $('#signin').hidden = false;
    const err = new Error(`${data.code ?? res.status}: ${data.message ?? res.statusText}`);
    err.data = data;
    throw err;
  }
  return data;
}

const kill = killSwitch({ api, h, status, time, isManager: () => state.roles.includes('manager') });

// --- sessions and decisions ----------------------------------------------------------------

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

async function refreshSessions() {
  const data = await api('/sessions');
  $('#live-sessions tbody').replaceChildren(...data.live.map((s) => sessionRow(s, false)));
  if (data.live.length === 0)
    $('#live-sessions tbody').append(
      h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No live session. Play the sample call to see one.')),
    );
  $('#recent-sessions tbody').replaceChildren(...data.recent.map((s) => sessionRow(s, true)));
  if (state.selected) await refreshDetail();
}

function select(id) {
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

// --- approvals --------------------------------------------------------------------------------

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

async function refreshApprovals() {
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

// --- policy tuning ----------------------------------------------------------------------------

function numberField(name, value, label) {
  return h(
    'label',
    {},
    label,
    h('input', {
      type: 'number',
      name,
      value: value ?? '',
      step: 'any',
      min: 0,
      placeholder: value === null ? 'none' : undefined,
    }),
  );
}

async function loadPolicy() {
  const { active, versions } = await api('/policy');
  $('#policy-active').textContent = `Active: ${active.version} — by ${active.author}: ${active.reason}`;
  const form = $('#policy-form');
  const timeouts = h(
    'fieldset',
    {},
    h('legend', {}, 'Timeouts (seconds)'),
    Object.entries(active.timeouts).map(([k, v]) => numberField(`timeouts.${k}`, v, k)),
  );
  const roles = Object.entries(active.concessions).map(([role, bounds]) =>
    h(
      'fieldset',
      {},
      h('legend', {}, `Concessions: ${role}`),
      Object.entries(bounds).map(([k, v]) => numberField(`concessions.${role}.${k}`, v, k)),
    ),
  );
  form.replaceChildren(
    timeouts,
    ...roles,
    h(
      'label',
      { class: 'wide' },
      'Reason for this change',
      h('input', { type: 'text', name: 'reason', required: true, minlength: 3 }),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Publish new version'),
  );
  form.dataset.original = JSON.stringify(active);
  $('#policy-versions tbody').replaceChildren(
    ...versions
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((v) =>
        h(
          'tr',
          {},
          h('td', {}, v.id),
          h('td', {}, v.author),
          h('td', {}, v.reason),
          h('td', {}, dateTime(v.createdAt)),
        ),
      ),
  );
}

async function publishPolicy(event) {
  event.preventDefault();
  const form = event.target;
  const original = JSON.parse(form.dataset.original);
  const body = { reason: form.elements.reason.value, timeouts: {}, concessions: {} };
  for (const input of form.querySelectorAll('input[type=number]')) {
    const path = input.name.split('.');
    const value = input.value === '' ? null : Number(input.value);
    if (path[0] === 'timeouts' && value !== original.timeouts[path[1]]) body.timeouts[path[1]] = value;
    if (path[0] === 'concessions' && value !== original.concessions[path[1]][path[2]]) {
      body.concessions[path[1]] ??= {};
      body.concessions[path[1]][path[2]] = value;
    }
  }
  try {
    const r = await api('/policy', body);
    const said = {
      active: `Published ${r.version}; new sessions use it.`,
      pending: `${r.version} waits for a second manager's approval.`,
      unchanged: 'Nothing changed.',
    };
    status(said[r.status] ?? r.status);
    await loadPolicy();
  } catch (e) {
    status(e.message, true);
  }
}

// --- risk signals -------------------------------------------------------------------------------

const OUTCOMES = [
  { key: 'allow', label: 'allow', className: 'allow' },
  { key: 'sanitize', label: 'sanitize', className: 'sanitize' },
  { key: 'needs_approval', label: 'needs approval', className: 'needs_approval' },
  { key: 'deny', label: 'deny', className: 'deny' },
];
const pct = (v) => `${Math.round(v * 100)}%`;

function fillSelect(select, values) {
  const current = select.value;
  select.replaceChildren(h('option', { value: '' }, 'all'), ...values.map((v) => h('option', { value: v }, v)));
  select.value = values.includes(current) ? current : '';
}

function breakdown(title, groups) {
  const cols = ['decisions', 'deny', 'needs_approval', 'approved', 'overridesUsed', 'optOuts'];
  return h(
    'table',
    { class: 'list' },
    h('caption', {}, title),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, ''),
        cols.map((c) => h('th', {}, c)),
        h('th', {}, 'block rate'),
      ),
    ),
    h(
      'tbody',
      {},
      Object.entries(groups).map(([k, c]) =>
        h(
          'tr',
          {},
          h('td', {}, k),
          cols.map((col) => h('td', {}, c[col])),
          h('td', {}, c.decisions ? pct(c.deny / c.decisions) : '—'),
        ),
      ),
    ),
  );
}

async function refreshSignals() {
  const form = $('#signal-filters');
  const windowMs = Number(form.elements.window.value);
  const q = new URLSearchParams({
    from: String(Date.now() - windowMs),
    bucket: String(Math.max(60_000, windowMs / 30)),
  });
  for (const k of ['agent', 'role', 'policyVersion']) if (form.elements[k].value) q.set(k, form.elements[k].value);
  const s = await api(`/signals?${q}`);
  fillSelect(form.elements.agent, s.options.agents);
  fillSelect(form.elements.role, s.options.roles);
  fillSelect(form.elements.policyVersion, s.options.policyVersions);
  const t = s.totals;
  $('#signal-totals').replaceChildren(
    ...[
      ['decisions', t.decisions],
      ['block rate', pct(t.blockRate)],
      ['approval rate', pct(t.approvalRate)],
      ['approvals', t.approvalsRequested],
      ['time to approve', t.meanApproveMs === null ? '—' : `${Math.round(t.meanApproveMs / 1000)} s`],
      ['overrides used', t.overridesUsed],
      ['opt-outs', t.optOuts],
    ].map(([label, value]) => h('div', { class: 'stat' }, h('strong', {}, value), h('span', {}, label))),
  );
  const rates = s.buckets.map((b) => ({
    ...b,
    blockRate: b.decisions ? b.blockRate : null,
    approvalRate: b.decisions ? b.approvalRate : null,
    approveS: b.meanApproveMs === null ? null : b.meanApproveMs / 1000,
  }));
  $('#charts').replaceChildren(
    stackedBars('Decisions by outcome', s.buckets, OUTCOMES),
    lines(
      'Block and approval rates',
      rates,
      [
        { key: 'blockRate', label: 'block rate', className: 'deny' },
        { key: 'approvalRate', label: 'approval rate', className: 'needs_approval' },
      ],
      { max: 1, format: pct },
    ),
    stackedBars('Approvals', s.buckets, [
      { key: 'approved', label: 'approved', className: 'allow' },
      { key: 'denied', label: 'denied', className: 'deny' },
      { key: 'expired', label: 'expired', className: 'expired' },
    ]),
    lines('Time to approve (s)', rates, [
      { key: 'approveS', label: 'mean time to approve', className: 'needs_approval' },
    ]),
    stackedBars('Overrides used and opt-outs', s.buckets, [
      { key: 'overridesUsed', label: 'overrides used', className: 'sanitize' },
      { key: 'optOuts', label: 'opt-outs', className: 'deny' },
    ]),
  );
  $('#breakdowns').replaceChildren(
    breakdown('Per agent', s.by.agent),
    breakdown('Per role', s.by.role),
    breakdown('Per policy version', s.by.policyVersion),
  );
}

// --- wiring -------------------------------------------------------------------------------------

function show(view) {
  state.view = view;
  for (const tab of document.querySelectorAll('.tab')) tab.classList.toggle('active', tab.dataset.view === view);
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${view}`;
  if (view === 'policy') loadPolicy().catch((e) => status(e.message, true));
  if (view === 'signals') refreshSignals().catch((e) => status(e.message, true));
  if (view === 'kill-switch') kill.refresh().catch((e) => status(e.message, true));
}

async function playSample() {
  try {
    const { sessionId } = await api('/sample-call', {});
    status(
      `Sample call ${sessionId} is playing: watch its decisions; approve or deny the held discount under Approvals.`,
    );
    show('sessions');
    select(sessionId);
  } catch (e) {
    status(e.message, true);
  }
}

async function poll() {
  try {
    await Promise.all([refreshSessions(), refreshApprovals(), kill.refresh()]);
    if ($('#status').classList.contains('error') && $('#status').textContent.startsWith('Lost')) status('');
  } catch (e) {
    status(`Lost contact with Guardline: ${e.message}`, true);
  }
}

let polling = false;

/** Says who is signed in, then polls (once signed in: a token-mode console asks for a token first). */
async function connect() {
  const who = await api('/whoami');
  state.roles = who.user.roles;
  $('#whoami').textContent = `${who.user.id} (${who.user.roles.join(', ')}) · ${who.mode}`;
  await poll();
  if (polling) return;
  polling = true;
  setInterval(poll, POLL_MS);
  setInterval(() => {
    if (state.view === 'signals') refreshSignals().catch((e) => status(e.message, true));
  }, SIGNALS_MS);
}

function init() {
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => show(tab.dataset.view));
  $('#play-sample').addEventListener('click', playSample);
  $('#policy-form').addEventListener('submit', publishPolicy);
  kill.init();
  $('#signal-filters').addEventListener('change', () => refreshSignals().catch((e) => status(e.message, true)));
  $('#signin').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('#token').value.trim();
    sessionStorage.setItem('guardline-token', state.token);
    $('#signin').hidden = true;
    status('');
    connect().catch((e) => status(e.message, true));
  });
  connect().catch((e) => status(e.message, true));
}

init();
