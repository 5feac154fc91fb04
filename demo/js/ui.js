/** Page-wide feedback: short-lived toasts and the connection banner. */
import { h } from './dom.js';

/**
 * Shows `message` for a few seconds. A `key` shows it once while it is on screen (a burst of messages
 * failing the same way gets one toast, not one each).
 */
export function toast(message, { timeout = 5000, key } = {}) {
  const host = document.getElementById('toasts');
  if (!host) return;
  if (key && [...host.children].some((el) => el.dataset.key === key)) return;
  const el = h('div', { class: 'toast', role: 'alert', dataset: { key } }, message);
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
