/**
 * A message body as the reader sees it: web addresses become links, and a long message shows its
 * beginning with "Read more" (a 10,000-character message would otherwise fill several screens, and
 * laying out a huge text node is what made opening such a conversation slow).
 */
import { h } from '../dom.js';

/** Bodies longer than this many characters, or than COLLAPSE_LINES lines, start collapsed. */
export const COLLAPSE_CHARS = 500;
const COLLAPSE_LINES = 10;

/** http(s) addresses and "www." ones; the trailing punctuation of a sentence is not part of the link. */
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}'"»]+$/;

/** Text nodes and <a> elements for `text`; only http(s) URLs ever become an href. */
export function linkified(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing parenthesis that belongs to the URL, e.g. …/Foo_(bar).
    const keepParen = trailing.startsWith(')') && url.slice(0, -trailing.length).includes('(');
    url = url.slice(0, url.length - (keepParen ? trailing.length - 1 : trailing.length));
    if (url.length < 5) continue;
    const href = /^www\./i.test(url) ? `https://${url}` : url;
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'msg-link' }, url));
    last = match.index + url.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Whether `body` is long enough to start collapsed. */
export function isLong(body) {
  if (body.length > COLLAPSE_CHARS) return true;
  let lines = 1;
  for (let i = body.indexOf('\n'); i !== -1 && lines <= COLLAPSE_LINES; i = body.indexOf('\n', i + 1)) lines++;
  return lines > COLLAPSE_LINES;
}

/** The beginning of a long body, cut at a line or word end near the limits. */
function excerpt(body) {
  let cut = body.slice(0, COLLAPSE_CHARS);
  const lines = cut.split('\n');
  if (lines.length > COLLAPSE_LINES) cut = lines.slice(0, COLLAPSE_LINES).join('\n');
  const space = cut.search(/\s\S*$/);
  if (cut.length === COLLAPSE_CHARS && space > COLLAPSE_CHARS * 0.8) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

/**
 * The body paragraph; for a long body, the excerpt and a "Read more" / "Show less" toggle.
 * `expanded` and `onToggle` let the message list remember the choice across re-renders.
 */
export function messageText(id, body, { expanded, onToggle }) {
  if (!isLong(body)) return h('p', { class: 'msg-body' }, linkified(body));
  const textId = `msg-text-${id}`;
  return [
    h('p', { class: ['msg-body', !expanded && 'collapsed'], id: textId }, linkified(expanded ? body : excerpt(body))),
    h('button', {
      type: 'button', class: 'read-more', 'aria-expanded': String(Boolean(expanded)), 'aria-controls': textId,
      'data-focus-key': `read-more:${id}`, 'data-testid': 'read-more', onclick: () => onToggle(!expanded),
    }, expanded ? 'Show less' : 'Read more'),
  ];
}
