// The console's kill switch view: active suspensions with Lift, and the suspend form (managers).
// Plain ES module; console.js hands it the page's helpers.

const $ = (sel, root = document) => root.querySelector(sel);

/**
 * @param {{ api: Function, h: Function, status: Function, time: Function, isManager: () => boolean }} page
 * @returns {{ refresh: () => Promise<void>, init: () => void }}
 */
export function killSwitch({ api, h, status, time, isManager }) {
  let choices = { agent: [], role: [], tenant: [] };

  function fillChoices() {
    const form = $('#suspend-form');
    const scope = form.elements.scope.value;
    const values = choices[scope] ?? [];
    $('#suspend-targets').replaceChildren(...values.map((v) => h('option', { value: v })));
    $('#suspend-choices').replaceChildren(
      ...(values.length
        ? values.map((v) =>
            h(
              'button',
              {
                type: 'button',
                class: 'choice',
                'data-choice': v,
                onclick: () => {
                  form.elements.target.value = v;
                },
              },
              v,
            ),
          )
        : [h('span', { class: 'muted' }, `no ${scope} right now`)]),
    );
  }

  function liftCell(s) {
    if (!isManager()) return h('td', { class: 'muted' }, '—');
    const reason = h('input', {
      class: 'reason',
      type: 'text',
      placeholder: 'reason (at least 3 characters)',
      'aria-label': 'reason for lifting',
    });
    const lift = async () => {
      if (reason.value.trim().length < 3) {
        reason.focus();
        return status('Give a reason (at least 3 characters) to lift the suspension.', true);
      }
      try {
        await api(`/suspensions/${encodeURIComponent(s.id)}/lift`, { reason: reason.value.trim() });
        status(`Lifted ${s.id}: held calls of ${s.scope} ${s.target} resume.`);
        await refresh();
      } catch (e) {
        status(e.message, true);
      }
    };
    return h(
      'td',
      { class: 'lift' },
      reason,
      h('button', { type: 'button', class: 'lift-button primary', onclick: lift }, 'Lift'),
    );
  }

  function row(s) {
    return h(
      'tr',
      { 'data-suspension-id': s.id },
      h('td', {}, s.scope),
      h('td', {}, h('strong', {}, s.target)),
      h('td', {}, h('span', { class: `tag ${s.action}` }, s.action === 'end_call' ? 'end call' : 'hold')),
      h('td', {}, s.reason),
      h('td', {}, s.createdBy),
      h('td', { title: new Date(s.createdAt).toISOString() }, time(s.createdAt)),
      h('td', { class: 'held' }, String(s.liveSessions)),
      liftCell(s),
    );
  }

  async function refresh() {
    const data = await api('/suspensions');
    choices = data.choices;
    fillChoices();
    const badge = $('#suspension-count');
    badge.hidden = data.active.length === 0;
    badge.textContent = String(data.active.length);
    const body = $('#suspensions tbody');
    // Keep the rows whose lift reason someone is typing; add new ones, drop lifted ones.
    const ids = new Set(data.active.map((s) => s.id));
    for (const tr of body.querySelectorAll('[data-suspension-id]')) if (!ids.has(tr.dataset.suspensionId)) tr.remove();
    for (const s of data.active) {
      const existing = body.querySelector(`[data-suspension-id="${CSS.escape(s.id)}"]`);
      if (existing) $('.held', existing).textContent = String(s.liveSessions);
      else body.append(row(s));
    }
    $('tr.none', body)?.remove();
    if (data.active.length === 0) {
      body.append(h('tr', { class: 'none' }, h('td', { colspan: 8, class: 'muted' }, 'Nothing is suspended.')));
    }
  }

  async function submit(event) {
    event.preventDefault();
    const form = event.target;
    const body = {
      scope: form.elements.scope.value,
      target: form.elements.target.value.trim(),
      reason: form.elements.reason.value.trim(),
      endCalls: form.elements.endCalls.checked,
    };
    try {
      const s = await api('/suspensions', body);
      status(
        `Suspended ${s.scope} ${s.target} (${s.id}): its live calls ${s.action === 'end_call' ? 'end' : 'are on hold'}.`,
      );
      form.reset();
      await refresh();
    } catch (e) {
      status(e.message, true);
    }
  }

  function init() {
    const form = $('#suspend-form');
    form.addEventListener('submit', submit);
    form.elements.scope.addEventListener('change', () => {
      form.elements.target.value = '';
      fillChoices();
    });
  }

  /** Managers get the form and the Lift buttons; others see the list. */
  function applyRole() {
    $('#suspend-form').hidden = !isManager();
    $('#suspend-readonly').hidden = isManager();
  }

  return {
    init,
    refresh: async () => {
      applyRole();
      await refresh();
    },
  };
}
