// The console's risk signals view: filters, totals, charts over time and per-agent / role / policy
// breakdowns. Plain ES module, no build step.
import { lines, stackedBars } from '/console/charts.js';
import { $, api, h } from '/console/dom.js';

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

export async function refreshSignals() {
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
