// The console's page helpers: element lookup and building, display formats, the status line,
// and the fetch wrapper for the console API. Plain ES module, no build step.
import { state } from '/console/state.js';

export const $ = (sel, root = document) => root.querySelector(sel);

export function h(tag, attrs = {}, ...children) {
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

export const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '—');
export const dateTime = (ms) => (ms ? new Date(ms).toLocaleString() : '—');
export const short = (id) => (id.length > 28 ? `${id.slice(0, 12)}…${id.slice(-12)}` : id);
export const bound = (b) =>
  Object.entries(b ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function status(text, isError = false) {
  const p = $('#status');
  p.textContent = text;
  p.classList.toggle('error', isError);
}

export async function api(path, body) {
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
