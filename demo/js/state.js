/**
 * The page's single source of truth, plus change notification.
 *
 * Mutations go through the functions below; each marks what changed ("topics") and views re-render
 * once per animation frame for the union of topics, so a burst of pubsub events costs one paint.
 */
import { keepShownUrl } from './attachments.js';
import { compareMessages, lastActivity, mergeConversation } from './model.js';

export const state = {
  me: null, // {id, username, name}
  channel: null, // user_channel name
  users: new Map(), // id -> {id, username, name}
  conversations: new Map(), // id -> conversation (model.toConversation + merged unread/lastMessage)
  threads: new Map(), // conversationId -> {messages: Map(id -> message), hasMore, loading, loaded}
  openId: null, // the conversation shown in the chat pane
  pane: 'list', // on narrow screens: which pane is visible ('list' | 'chat')
  panel: null, // null | 'new' | 'details' | {receiptsFor: messageId}
  typing: new Map(), // conversationId -> Map(userId -> {event, expires})
  totalUnread: { conversation: 0, message: 0 },
  connection: 'online', // 'online' | 'offline'
  ready: false, // subscribed to the user channel and the first conversation list loaded
};

const listeners = new Set();
const dirty = new Set();
let scheduled = false;

/** Registers `fn(topics: Set<string>)`; returns an unsubscribe function. */
export function listen(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Marks topics as changed: 'session', 'conversations', 'thread:<id>', 'open', 'typing', 'unread', 'users', 'panel', 'connection'. */
export function touch(...topics) {
  for (const t of topics) dirty.add(t);
  if (scheduled) return;
  scheduled = true;
  const run = () => {
    scheduled = false;
    const topicsNow = new Set(dirty);
    dirty.clear();
    for (const fn of listeners) fn(topicsNow);
  };
  // rAF does not fire in background tabs; a timeout keeps state (and the document title) current there.
  if (document.visibilityState === 'visible') requestAnimationFrame(run);
  else setTimeout(run, 0);
}

export function resetSession(me) {
  state.me = me;
  state.channel = null;
  state.users.clear();
  if (me) state.users.set(me.id, me);
  state.conversations.clear();
  state.threads.clear();
  state.openId = null;
  state.pane = 'list';
  state.panel = null;
  state.typing.clear();
  state.totalUnread = { conversation: 0, message: 0 };
  state.ready = false;
  touch('session', 'conversations', 'open', 'unread', 'panel', 'typing');
}

// ---- users ---------------------------------------------------------------------------------------

export function putUsers(users) {
  for (const u of users) state.users.set(u.id, u);
  if (users.length) touch('users');
}

export function userName(id) {
  if (!id) return 'Someone';
  if (state.me && id === state.me.id) return 'You';
  return state.users.get(id)?.name || `user ${id.slice(0, 6)}`;
}

// ---- conversations -------------------------------------------------------------------------------

export function putConversation(conversation) {
  const known = state.conversations.get(conversation.id);
  const merged = mergeConversation(known, conversation);
  // A record event names the last message only by id: show it at once if we hold it (e.g. the one
  // before a message just deleted), else the preview we had stays until the caller's re-read.
  const held = !merged.lastMessage || merged.lastMessage.id !== merged.lastMessageId
    ? state.threads.get(conversation.id)?.messages.get(merged.lastMessageId) : null;
  if (held && !held.deleted) merged.lastMessage = held;
  state.conversations.set(conversation.id, merged);
  touch('conversations');
  if (conversation.id === state.openId) touch('open');
  return merged;
}

const JUST_ADDED_GRACE_MS = 10_000;

/** Replaces the list with a fresh fetch, keeping the messages we already hold. */
export function replaceConversations(list) {
  const fresh = new Map();
  for (const c of list) fresh.set(c.id, mergeConversation(state.conversations.get(c.id), c));
  // A conversation we were added to a moment ago may be missing from a fetch that raced with it; keep it.
  const recent = Date.now() - JUST_ADDED_GRACE_MS;
  for (const [id, c] of state.conversations) if (!fresh.has(id) && c.justAdded > recent) fresh.set(id, c);
  state.conversations = fresh;
  touch('conversations', 'open');
}

/** Forgets a conversation; returns whether it was the open one (the caller then fixes the URL). */
export function removeConversation(id) {
  state.conversations.delete(id);
  state.threads.delete(id);
  state.typing.delete(id);
  const wasOpen = state.openId === id;
  if (wasOpen) {
    state.openId = null;
    state.pane = 'list';
    state.panel = null;
    touch('panel');
  }
  touch('conversations', 'open');
  return wasOpen;
}

export function sortedConversations() {
  return [...state.conversations.values()].sort((a, b) => lastActivity(b) - lastActivity(a) || (a.id < b.id ? -1 : 1));
}

export function setUnread(conversationId, count) {
  const c = state.conversations.get(conversationId);
  if (!c || c.unreadCount === count) return;
  c.unreadCount = count;
  touch('conversations');
}

export function setTotalUnread(total) {
  state.totalUnread = total;
  touch('unread');
}

/**
 * Records the newest message as the conversation's last message (if it is newer than what we have),
 * or the new version of the last message (an edit). A deleted one is left to the server's preview.
 */
export function bumpLastMessage(message) {
  const c = state.conversations.get(message.conversationId);
  if (!c || message.deleted) return;
  if (!c.lastMessage || compareMessages(c.lastMessage, message) <= 0) {
    c.lastMessage = message;
    c.lastMessageId = message.id;
    touch('conversations');
  }
}

// ---- messages ------------------------------------------------------------------------------------

export function thread(conversationId) {
  let t = state.threads.get(conversationId);
  if (!t) {
    // divider: {beforeId, count} of the "N new messages" line, set when the conversation is opened.
    t = { messages: new Map(), hasMore: true, loading: false, loaded: false, divider: null };
    state.threads.set(conversationId, t);
  }
  return t;
}

/**
 * Merges messages by id. A confirmed copy replaces a pending one, never the other way round; a deleted
 * message stays deleted (shown as such); an older revision never overwrites a newer edit.
 * `freshUrls` takes the attachment URLs as given (after asking the server for new signatures).
 */
export function putMessages(conversationId, messages, { freshUrls = false } = {}) {
  const t = thread(conversationId);
  for (const m of messages) {
    const known = t.messages.get(m.id);
    if (known && !known.pending && m.pending) continue;
    let merged = known ? { ...known, ...m } : m;
    if (known?.deleted || m.deleted) {
      merged = { ...merged, deleted: true, body: '', metadata: {}, attachment: null, pending: false, failed: false };
    } else if (known && known.revision > m.revision) {
      merged = { ...merged, body: known.body, metadata: known.metadata, attachment: known.attachment, editedAt: known.editedAt, revision: known.revision };
    } else if (!freshUrls) {
      // Every fetch signs a new URL; swapping a still-valid one would re-download the picture.
      merged.attachment = keepShownUrl(known?.attachment, m.attachment);
    }
    t.messages.set(m.id, merged);
    bumpLastMessage(merged);
  }
  touch(`thread:${conversationId}`);
}

export function updateMessage(conversationId, id, patch) {
  const t = state.threads.get(conversationId);
  const m = t?.messages.get(id);
  if (!m) return;
  Object.assign(m, patch);
  touch(`thread:${conversationId}`);
}

export function sortedMessages(conversationId) {
  const t = state.threads.get(conversationId);
  return t ? [...t.messages.values()].sort(compareMessages) : [];
}

// ---- typing --------------------------------------------------------------------------------------

/** How long a "begin" counts without a follow-up (a lost "finished" must not stick forever). */
const TYPING_TTL_MS = 8000;

export function setTyping(conversationId, userId, event) {
  let perConversation = state.typing.get(conversationId);
  if (!perConversation) state.typing.set(conversationId, (perConversation = new Map()));
  if (event === 'begin') perConversation.set(userId, { event, expires: Date.now() + TYPING_TTL_MS });
  else perConversation.delete(userId);
  touch('typing');
}

/** Ids of users (other than me) typing in the conversation right now. */
export function typingUsers(conversationId) {
  const now = Date.now();
  const perConversation = state.typing.get(conversationId);
  if (!perConversation) return [];
  const ids = [];
  for (const [userId, entry] of perConversation) {
    if (entry.expires < now) perConversation.delete(userId);
    else if (userId !== state.me?.id) ids.push(userId);
  }
  return ids;
}
