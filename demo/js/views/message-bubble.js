/**
 * One message as a list item: sender (in groups), attachment, text with links and "Read more", time,
 * "edited", my delivery status, and the actions menu. A deleted message keeps its place and says so.
 */
import { refreshAttachmentUrl, retry, showPanel } from '../actions.js';
import { isUrlFresh } from '../attachments.js';
import { avatar, formatClock, formatFull, h } from '../dom.js';
import { icon } from '../icons.js';
import { displayFileName } from '../model.js';
import { userName } from '../state.js';
import { messageMenu } from './message-menu.js';
import { messageText } from './message-text.js';

const STATUS_TEXT = { delivered: 'Delivered', some_read: 'Read by some', all_read: 'Read' };
const STATUS_ICON = { delivered: 'check', some_read: 'checks', all_read: 'checks' };

/**
 * What the bubble shows, as a string: the list rebuilds a bubble only when this changes. The read
 * status is left out: it changes often and is patched in place (patchStatus), so an open menu or a
 * picture being decoded survives a status change.
 * @param {object} m the message (model.toMessage)
 * @param {{mine, showSender, group, expanded, canEdit, canDelete}} how
 */
export function bubbleSignature(m, how) {
  return JSON.stringify([m.body, m.pending, m.failed, m.retryable, m.deleted, m.editedAt?.getTime(), m.attachment?.url,
    how.showSender, how.group, how.showSender && userName(m.createdBy), how.expanded, how.canEdit, how.canDelete]);
}

/** The part of a bubble patchStatus updates: my message's delivery status. */
export function statusSignature(m, how) {
  return how.mine ? m.status : '';
}

/** Shows a new status in an existing bubble of mine (see bubbleSignature). */
export function patchStatus(li, m) {
  li.dataset.status = m.status;
  li.querySelector('.msg-meta > .status')?.replaceWith(status(m));
}

/**
 * @param {object} m
 * @param {{mine, showSender, group, expanded, canEdit, canDelete,
 *   onToggle(expanded), onEdit(), onDelete(), onMediaLoad()}} how
 */
export function messageBubble(m, how) {
  const { mine } = how;
  const content = m.deleted
    ? [h('p', { class: 'msg-body deleted', 'data-testid': 'message-deleted' }, icon('ban', { size: 14 }), ' This message was deleted')]
    : [attachment(m, how), m.body ? messageText(m.id, m.body, how) : null];

  const menuItems = [];
  if (how.canEdit) menuItems.push({ label: 'Edit', icon: 'edit', run: how.onEdit });
  if (how.canDelete) menuItems.push({ label: 'Delete', icon: 'trash', run: how.onDelete, danger: true });

  return h('li', {
    class: ['msg', mine ? 'mine' : 'theirs', m.pending && 'pending', m.deleted && 'is-deleted'],
    dataset: { messageId: m.id, status: m.status, sender: m.createdBy },
    'data-testid': 'message',
  },
  how.group && !mine ? (how.showSender ? avatar(userName(m.createdBy), m.createdBy, 'small') : h('span', { class: 'avatar-gap' })) : null,
  h('div', { class: 'bubble' },
    !mine && how.showSender ? h('span', { class: 'msg-sender', 'data-testid': 'message-sender' }, userName(m.createdBy)) : null,
    content,
    h('span', { class: 'msg-meta' },
      m.editedAt && !m.deleted ? h('span', { class: 'edited', title: `Edited ${formatFull(m.editedAt)}`, 'data-testid': 'message-edited' }, 'edited') : null,
      h('time', { datetime: m.createdAt.toISOString(), title: formatFull(m.createdAt) }, formatClock(m.createdAt)),
      mine ? status(m) : null)),
  menuItems.length ? messageMenu(m.id, menuItems) : null);
}

function status(m) {
  if (m.deleted) return null;
  if (m.failed) {
    const text = m.retryable ? ' Not sent yet · Retry now' : ' Not sent · Retry';
    return h('button', {
      type: 'button', class: 'status failed', 'data-testid': 'message-failed', 'data-focus-key': `status:${m.id}`,
      onclick: () => retry(m.conversationId, m.id),
    }, icon('alert', { size: 13 }), text);
  }
  if (m.pending) return h('span', { class: 'status pending', 'data-testid': 'message-pending' }, icon('clock', { size: 13 }), ' Sending…');
  return h('button', {
    type: 'button', class: ['status', m.status], 'data-testid': 'message-status', dataset: { status: m.status },
    'data-focus-key': `status:${m.id}`, title: 'Show who received and read this', onclick: () => showPanel({ receiptsFor: m.id }),
  }, h('span', { class: 'ticks' }, icon(STATUS_ICON[m.status], { size: 14 })), ` ${STATUS_TEXT[m.status]}`);
}

/**
 * A picture inline, any other file as a download link. The URL is signed for a limited time (see
 * attachments.js): a picture that fails to load asks for a new URL, which re-renders the bubble, and a
 * file link whose URL has expired asks for one before opening it.
 */
function attachment(m, how) {
  const a = m.attachment;
  if (!a) return null;
  const name = displayFileName(a.name);
  if (a.isImage && a.url) {
    const img = h('img', { class: 'attachment-img', src: a.url, alt: name, loading: 'lazy', 'data-testid': 'attachment-image' });
    img.addEventListener('load', () => how.onMediaLoad());
    img.addEventListener('error', () => {
      img.classList.add('failed'); // a grey box instead of the broken-image icon while we ask
      refreshAttachmentUrl(m);
    });
    return h('a', { class: 'attachment', href: a.url, target: '_blank', rel: 'noopener' }, img);
  }
  const link = h('a', {
    class: 'attachment file', href: a.url || '#', target: '_blank', rel: 'noopener', download: name, 'data-testid': 'attachment-file',
  }, icon('file', { size: 18 }), h('span', {}, name));
  link.addEventListener('click', (event) => {
    if (!a.url || isUrlFresh(a.url)) return;
    event.preventDefault();
    refreshAttachmentUrl(m).then((url) => url && window.open(url, '_blank', 'noopener'));
  });
  return link;
}
