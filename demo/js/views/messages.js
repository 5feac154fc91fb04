/**
 * The message list of the open conversation: keyed rendering (an update touches only changed bubbles,
 * so images do not reload and scroll stays put), paging back in history, and read marking.
 *
 * A message from someone else counts as read when at least 60% of it is on screen while the page is
 * visible (IntersectionObserver), which is when we call chat:mark_as_read for it. A reader scrolled
 * up in history is not moved when messages arrive; a "New messages" button takes them down.
 */
import { loadOlder, queueRead, retry, showPanel } from '../actions.js';
import { avatar, formatTime, h } from '../dom.js';
import { icon } from '../icons.js';
import { displayFileName } from '../model.js';
import { sortedMessages, state, userName } from '../state.js';

const STATUS_TEXT = { delivered: 'Delivered', some_read: 'Read by some', all_read: 'Read' };
const STATUS_ICON = { delivered: 'check', some_read: 'checks', all_read: 'checks' };

export function messagesView() {
  const list = h('ol', { class: 'messages', 'aria-label': 'Messages', 'data-testid': 'messages' });
  const olderButton = h('button', { type: 'button', class: 'btn subtle load-older', 'data-testid': 'load-older', onclick: () => older() }, 'Load earlier messages');
  const loadingNote = h('p', { class: 'list-note', hidden: true }, 'Loading…');
  const emptyNote = h('p', { class: 'list-note', hidden: true }, 'No messages yet. Say hi!');
  const scroller = h('div', { class: 'scroller', tabindex: '-1' }, olderButton, loadingNote, emptyNote, list);
  const jumpButton = h('button', {
    type: 'button', class: 'btn primary jump-newest', hidden: true, 'data-testid': 'jump-newest', onclick: () => scrollToBottom(),
  }, icon('down', { size: 16 }), 'New messages');
  const root = h('div', { class: 'messages-pane' }, scroller, jumpButton);

  /** id -> {el, sig} for the conversation currently rendered. */
  let rendered = new Map();
  let renderedConversation = null;
  let stickToBottom = true;
  const visible = new Set(); // ids of others' messages currently on screen

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const id = entry.target.dataset.messageId;
      if (entry.isIntersecting) visible.add(id);
      else visible.delete(id);
    }
    markVisibleAsRead();
  }, { root: scroller, threshold: 0.6 });

  function markVisibleAsRead() {
    if (document.visibilityState !== 'visible' || !renderedConversation) return;
    const t = state.threads.get(renderedConversation);
    for (const id of visible) {
      const m = t?.messages.get(id);
      if (m) queueRead(m);
    }
  }
  document.addEventListener('visibilitychange', markVisibleAsRead);

  scroller.addEventListener('scroll', () => {
    stickToBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    if (stickToBottom) jumpButton.hidden = true;
    if (scroller.scrollTop < 80) older();
  }, { passive: true });

  async function older() {
    const cid = renderedConversation;
    const t = cid && state.threads.get(cid);
    if (!t || t.loading || !t.hasMore || !t.loaded) return;
    await loadOlder(cid).catch((e) => console.warn('loading older messages failed', e));
  }

  function bubble(m, showSender, group) {
    const mine = m.createdBy === state.me?.id;
    const parts = [];
    if (m.attachment) {
      const name = displayFileName(m.attachment.name);
      if (m.attachment.isImage && m.attachment.url) {
        const img = h('img', { class: 'attachment-img', src: m.attachment.url, alt: name, loading: 'lazy', 'data-testid': 'attachment-image' });
        img.addEventListener('load', () => { if (stickToBottom) scrollToBottom(); });
        parts.push(h('a', { class: 'attachment', href: m.attachment.url, target: '_blank', rel: 'noopener' }, img));
      } else {
        parts.push(h('a', { class: 'attachment file', href: m.attachment.url || '#', target: '_blank', rel: 'noopener', download: name }, icon('file', { size: 18 }), h('span', {}, name)));
      }
    }
    if (m.body) parts.push(h('p', { class: 'msg-body' }, m.body));

    let status = null;
    if (mine) {
      if (m.failed) {
        status = h('button', { type: 'button', class: 'status failed', onclick: () => retry(m.conversationId, m.id) }, icon('alert', { size: 13 }), ' Not sent · Retry');
      } else if (m.pending) {
        status = h('span', { class: 'status pending' }, icon('clock', { size: 13 }), ' Sending…');
      } else {
        status = h('button', {
          type: 'button', class: ['status', m.status], 'data-testid': 'message-status', dataset: { status: m.status },
          title: 'Show who received and read this', onclick: () => showPanel({ receiptsFor: m.id }),
        }, h('span', { class: 'ticks' }, icon(STATUS_ICON[m.status], { size: 14 })), ` ${STATUS_TEXT[m.status]}`);
      }
    }

    return h('li', {
      class: ['msg', mine ? 'mine' : 'theirs', m.pending && 'pending'],
      dataset: { messageId: m.id, status: m.status, sender: m.createdBy },
      'data-testid': 'message',
    },
    group && !mine ? (showSender ? avatar(userName(m.createdBy), m.createdBy, 'small') : h('span', { class: 'avatar-gap' })) : null,
    h('div', { class: 'bubble' },
      !mine && showSender ? h('span', { class: 'msg-sender' }, userName(m.createdBy)) : null,
      parts,
      h('span', { class: 'msg-meta' }, h('time', { datetime: m.createdAt.toISOString() }, formatTime(m.createdAt)), status)));
  }

  function signature(m, showSender, group) {
    return [m.body, m.status, m.pending, m.failed, m.attachment?.url, showSender, group, showSender && userName(m.createdBy)].join('\u0000');
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function update() {
    const cid = state.openId;
    const switched = cid !== renderedConversation;
    if (switched) {
      for (const { el } of rendered.values()) observer.unobserve(el);
      rendered = new Map();
      visible.clear();
      list.replaceChildren();
      renderedConversation = cid;
      stickToBottom = true;
      jumpButton.hidden = true;
    }
    if (!cid) return;

    const t = state.threads.get(cid);
    const messages = sortedMessages(cid);
    const firstBefore = list.firstElementChild?.dataset.messageId;
    const heightBefore = scroller.scrollHeight;
    const topBefore = scroller.scrollTop;
    const lastBefore = list.lastElementChild?.dataset.messageId;

    const next = new Map();
    let previous = null;
    const group = (state.conversations.get(cid)?.participantIds.length ?? 0) > 2;
    messages.forEach((m, index) => {
      const showSender = group && (!previous || previous.createdBy !== m.createdBy);
      const sig = signature(m, showSender, group);
      let entry = rendered.get(m.id);
      if (!entry || entry.sig !== sig) {
        const el = bubble(m, showSender, group);
        if (entry) {
          observer.unobserve(entry.el);
          entry.el.replaceWith(el);
        }
        entry = { el, sig };
        if (m.createdBy !== state.me?.id && !m.pending) observer.observe(el);
      }
      next.set(m.id, entry);
      if (list.children[index] !== entry.el) list.insertBefore(entry.el, list.children[index] ?? null);
      previous = m;
    });
    for (const [id, entry] of rendered) {
      if (!next.has(id)) {
        observer.unobserve(entry.el);
        visible.delete(id);
        entry.el.remove();
      }
    }
    rendered = next;

    olderButton.hidden = !(t?.loaded && t.hasMore);
    olderButton.disabled = Boolean(t?.loading);
    loadingNote.hidden = !(t?.loading && messages.length === 0);
    emptyNote.hidden = !(t?.loaded && messages.length === 0);

    const firstAfter = list.firstElementChild?.dataset.messageId;
    const lastAfter = list.lastElementChild?.dataset.messageId;
    const newestIsMine = messages.length > 0 && messages[messages.length - 1].createdBy === state.me?.id;
    if (switched || (lastAfter !== lastBefore && (stickToBottom || newestIsMine))) {
      scrollToBottom();
    } else if (lastAfter !== lastBefore && lastBefore !== undefined) {
      // Someone wrote while the reader is up in the history: leave them there, say so.
      jumpButton.hidden = false;
    } else if (firstAfter !== firstBefore && lastAfter === lastBefore) {
      // Older messages were prepended: keep the same messages under the reader's eyes.
      scroller.scrollTop = topBefore + (scroller.scrollHeight - heightBefore);
    } else if (stickToBottom) {
      scrollToBottom();
    }
    markVisibleAsRead();
  }

  return { root, update, markVisibleAsRead };
}
