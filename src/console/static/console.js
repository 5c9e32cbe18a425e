// The Guardline console: wires the views (sessions, approvals, policy tuning, kill switch, risk
// signals), polling, the sample-call button and sign-in. Plain ES module, no build step.

import { refreshApprovals } from '/console/approvals.js';
import { $, api, h, status, time } from '/console/dom.js';
import { killSwitch } from '/console/kill-switch.js';
import { loadPolicy, publishPolicy } from '/console/policy.js';
import { refreshSessions, select } from '/console/sessions.js';
import { refreshSignals } from '/console/signals.js';
import { state } from '/console/state.js';

const POLL_MS = 1500;
const SIGNALS_MS = 5000;

const kill = killSwitch({ api, h, status, time, isManager: () => state.roles.includes('manager') });

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
