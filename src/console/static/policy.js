// The console's policy tuning view: the active policy's timeouts and concession bounds as a form,
// publishing a new version, and the version history. Plain ES module, no build step.
import { $, api, dateTime, h, status } from '/console/dom.js';

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

export async function loadPolicy() {
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

export async function publishPolicy(event) {
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
