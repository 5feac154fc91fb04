/** Page-wide feedback: short-lived toasts and the connection banner. */
import { h } from './dom.js';

export function toast(message, { timeout = 5000 } = {}) {
  const host = document.getElementById('toasts');
  if (!host) return;
  const el = h('div', { class: 'toast', role: 'alert' }, message);
  host.appendChild(el);
  setTimeout(() => el.remove(), timeout);
}

/** Shows `text` in the top banner, or hides it when `text` is empty. */
export function banner(text) {
  const el = document.getElementById('banner');
  if (!el) return;
  el.textContent = text || '';
  el.hidden = !text;
}
