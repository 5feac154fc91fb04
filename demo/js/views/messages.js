/**
 * The message list of the open conversation: keyed rendering (an update touches only changed bubbles,
 * so images do not reload and scroll stays put), day separators, the "N new messages" divider at the
 * first unread message (where the conversation opens), paging back in history, and read marking
 * (read-tracker.js). A reader scrolled up in history is not moved when messages arrive; a
 * "New messages" button takes them down.
 */
import { deleteMessage, loadOlder, queueRead } from '../actions.js';
import { describeError } from '../api.js';
import { dayKey, formatDay, h, keepingFocus, reorder } from '../dom.js';
import { icon } from '../icons.js';
import { sortedMessages, state } from '../state.js';
import { toast } from '../ui.js';
import { bubbleSignature, messageBubble, patchStatus, statusSignature } from './message-bubble.js';
import { isAdmin, isDirect } from './names.js';
import { readTracker } from './read-tracker.js';

/** @param {{onEdit(message): void}} handlers */
export function messagesView({ onEdit }) {
  const list = h('ol', { class: 'messages', 'aria-label': 'Messages', 'data-testid': 'messages' });
  const olderButton = h('button', { type: 'button', class: 'btn subtle load-older', 'data-testid': 'load-older', onclick: () => older() }, 'Load earlier messages');
  const loadingNote = h('p', { class: 'list-note', hidden: true }, 'Loading…');
  const emptyNote = h('p', { class: 'list-note', hidden: true }, 'No messages yet. Say hi!');
  const scroller = h('div', { class: 'scroller', tabindex: '-1' }, olderButton, loadingNote, emptyNote, list);
  const jumpButton = h('button', {
    type: 'button', class: 'btn primary jump-newest', hidden: true, 'data-testid': 'jump-newest', onclick: () => scrollToBottom(),
  }, icon('down', { size: 16 }), 'New messages');
  const root = h('div', { class: 'messages-pane' }, scroller, jumpButton);

  /** key -> {el, sig}: message ids, `day:<yyyy-mm-dd>` and `divider` for the conversation on screen. */
  let rendered = new Map();
  let renderedConversation = null;
  let stickToBottom = true;
  let dividerShown = null; // the divider we scrolled to, so we do it once
  const expanded = new Set(); // ids of long messages the reader opened with "Read more"

  const reads = readTracker(scroller, (id) => {
    const m = state.threads.get(renderedConversation)?.messages.get(id);
    if (m) queueRead(m);
  });

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

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  async function confirmDelete(m) {
    if (!window.confirm('Delete this message for everyone?')) return;
    try {
      await deleteMessage(m.conversationId, m.id);
    } catch (error) {
      toast(`Could not delete the message: ${describeError(error).message}`);
    }
  }

  /** How each message is drawn, given the conversation and the message before it. */
  function presentation(m, previous, conversation) {
    const mine = m.createdBy === state.me?.id;
    const group = !isDirect(conversation);
    const confirmed = !m.pending && !m.deleted;
    return {
      mine,
      group,
      showSender: group && (!previous || previous.createdBy !== m.createdBy || dayKey(previous.createdAt) !== dayKey(m.createdAt)),
      expanded: expanded.has(m.id),
      canEdit: mine && confirmed && Boolean(m.body),
      canDelete: confirmed && (mine || isAdmin(conversation)),
      onToggle: (open) => toggle(m.id, open),
      onEdit: () => onEdit(m),
      onDelete: () => confirmDelete(m),
      onMediaLoad: () => { if (stickToBottom) scrollToBottom(); },
    };
  }

  /** "Read more" / "Show less": the message's top stays where the reader is looking. */
  function toggle(id, open) {
    if (open) expanded.add(id);
    else expanded.delete(id);
    const top = () => rendered.get(id)?.el.getBoundingClientRect().top ?? 0;
    const before = top();
    // The toggle button is rebuilt with its bubble: keep the keyboard focus on it (its focus key).
    keepingFocus(() => update({ keepScroll: true }));
    scroller.scrollTop += top() - before;
  }

  function daySeparator(date) {
    return h('li', { class: 'day-separator', 'data-testid': 'day-separator' },
      h('span', { role: 'heading', 'aria-level': '3' }, formatDay(date)));
  }

  function unreadDivider(count) {
    return h('li', { class: 'unread-divider', 'data-testid': 'unread-divider' },
      h('span', { role: 'heading', 'aria-level': '3' }, `${count} new message${count === 1 ? '' : 's'}`));
  }

  function switchTo(cid) {
    reads.reset();
    rendered = new Map();
    list.replaceChildren();
    renderedConversation = cid;
    stickToBottom = true;
    dividerShown = null;
    jumpButton.hidden = true;
  }

  /** The keyed entries (day separators, divider, messages) for the conversation, reusing unchanged ones. */
  function entries(cid, messages) {
    const conversation = state.conversations.get(cid) ?? { participantIds: [], adminIds: [] };
    const divider = state.threads.get(cid)?.divider;
    const today = dayKey(new Date());
    const next = new Map();
    const keep = (key, sig, build) => {
      const known = rendered.get(key);
      next.set(key, known && known.sig === sig ? known : { el: build(), sig, fresh: true });
    };
    let previous = null;
    for (const m of messages) {
      const day = dayKey(m.createdAt);
      // "Today" becomes "Yesterday" at midnight: the label is part of the key's signature.
      if (!previous || dayKey(previous.createdAt) !== day) keep(`day:${day}`, `${day}|${today}`, () => daySeparator(m.createdAt));
      if (divider?.beforeId === m.id) keep('divider', String(divider.count), () => unreadDivider(divider.count));
      const how = presentation(m, previous, conversation);
      keep(m.id, bubbleSignature(m, how), () => messageBubble(m, how));
      const entry = next.get(m.id);
      const statusSig = statusSignature(m, how);
      if (!entry.fresh && entry.statusSig !== statusSig) patchStatus(entry.el, m);
      entry.statusSig = statusSig;
      previous = m;
    }
    return next;
  }

  function update({ keepScroll = false } = {}) {
    const cid = state.openId;
    if (cid !== renderedConversation) switchTo(cid);
    if (!cid) return;

    const t = state.threads.get(cid);
    const messages = sortedMessages(cid);
    const firstBefore = list.querySelector('.msg')?.dataset.messageId;
    const lastBefore = [...list.querySelectorAll('.msg')].pop()?.dataset.messageId;
    const heightBefore = scroller.scrollHeight;
    const topBefore = scroller.scrollTop;

    const next = entries(cid, messages);
    for (const [key, entry] of rendered) if (next.get(key) !== entry && entry.el.dataset.messageId) reads.forget(entry.el);
    for (const entry of next.values()) {
      if (!entry.fresh) continue;
      entry.fresh = false;
      const m = entry.el.dataset.messageId && t?.messages.get(entry.el.dataset.messageId);
      if (m && m.createdBy !== state.me?.id && !m.pending && !m.deleted) reads.watch(entry.el);
    }
    rendered = next;
    reorder(list, [...next.values()].map((entry) => entry.el));

    olderButton.hidden = !(t?.loaded && t.hasMore);
    olderButton.disabled = Boolean(t?.loading);
    loadingNote.hidden = !(t?.loading && messages.length === 0);
    emptyNote.hidden = !(t?.loaded && messages.length === 0);
    if (!keepScroll) placeScroll({ firstBefore, lastBefore, heightBefore, topBefore, messages, divider: next.get('divider')?.el });
    reads.check();
  }

  /** Where the list should be after a render (see the file comment). */
  function placeScroll({ firstBefore, lastBefore, heightBefore, topBefore, messages, divider }) {
    const firstAfter = list.querySelector('.msg')?.dataset.messageId;
    const lastAfter = messages.length ? messages[messages.length - 1].id : undefined;
    const newestIsMine = messages.length > 0 && messages[messages.length - 1].createdBy === state.me?.id;
    if (divider && dividerShown !== divider) {
      // Opening with unread messages: start at the first of them, under the divider.
      dividerShown = divider;
      scroller.scrollTop += divider.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
      stickToBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    } else if (lastAfter !== lastBefore && (stickToBottom || newestIsMine)) {
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
  }

  return { root, update };
}
