/**
 * A tiny DOM builder. Every piece of user data reaches the page as a text node or an attribute value,
 * never as HTML, so nothing a user types can inject markup (there is no innerHTML in this app).
 */

/**
 * h('button', { class: 'x', onclick: fn, dataset: { id } }, 'text', childNode, [more], null)
 * - `on<event>` props become listeners; `dataset` fills data-*; `class`, `text` and boolean props are
 *   handled specially; everything else is set with setAttribute (values are strings, not markup).
 * - children may be strings/numbers (text nodes), Nodes, arrays of those, or null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) el.dataset[k] = String(v);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key === 'value' && 'value' in el) {
      el.value = value;
    } else if (value === true) {
      el.setAttribute(key, '');
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), nodes and nested arrays of them. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Sets text only when it changed (keeps selections and avoids layout work on re-render). */
export function setText(el, text) {
  const value = String(text ?? '');
  if (el.textContent !== value) el.textContent = value;
}

/**
 * Puts `elements` into `parent` in this order, moving only the ones out of place (a keyed render keeps
 * unchanged nodes, their images and their state), and removes children that are not listed.
 */
export function reorder(parent, elements) {
  const wanted = new Set(elements);
  for (const child of [...parent.children]) if (!wanted.has(child)) child.remove();
  elements.forEach((el, index) => {
    if (parent.children[index] !== el) parent.insertBefore(el, parent.children[index] ?? null);
  });
}

/**
 * Runs a re-render without losing the keyboard focus. Moving or replacing the focused node drops the
 * focus to <body>; afterwards we put it back on the same node, or on its replacement: the node with the
 * same `data-focus-key` (views give one to every control they may rebuild).
 */
export function keepingFocus(render) {
  const before = document.activeElement;
  const key = before?.dataset?.focusKey;
  render();
  const now = document.activeElement;
  if (!before || before === document.body || now === before) return;
  if (now && now !== document.body) return; // the render moved the focus on purpose
  const target = before.isConnected ? before : key ? document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
  target?.focus({ preventScroll: true });
}

/** A short human time: "14:05" today, "Mon 14:05" this week, else a date. */
export function formatTime(date) {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '';
  const now = new Date();
  const sameDay = date.toDateString() === now.toDateString();
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (sameDay) return time;
  const ageDays = (now.getTime() - date.getTime()) / 86400000;
  if (ageDays < 6) return `${date.toLocaleDateString([], { weekday: 'short' })} ${time}`;
  return date.toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' });
}

/** Two-letter initials for an avatar. */
export function initials(name) {
  const parts = String(name || '?').trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A stable hue per id, so each person keeps their avatar colour. */
export function hueFor(id) {
  let hash = 0;
  for (const ch of String(id || '')) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 360;
}

export function avatar(name, id, extraClass = '') {
  const el = h('span', { class: ['avatar', extraClass], 'aria-hidden': 'true' }, initials(name));
  el.style.setProperty('--hue', String(hueFor(id || name)));
  return el;
}

/** "14:05" (the day is shown by the separators above the messages). */
export function formatClock(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Full date and time, for tooltips: "Monday, 3 June 2024 at 14:05". */
export function formatFull(date) {
  return date.toLocaleString([], { dateStyle: 'full', timeStyle: 'short' });
}

/** A local calendar day as a key ("2024-06-03"), for grouping messages by day. */
export function dayKey(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

/** A day separator's label: "Today", "Yesterday", "Monday" within a week, else "3 June 2024". */
export function formatDay(date, now = new Date()) {
  const startOf = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(date)) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days > 1 && days < 7) return date.toLocaleDateString([], { weekday: 'long' });
  const options = { weekday: 'short', day: 'numeric', month: 'long' };
  if (date.getFullYear() !== now.getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString([], options);
}
