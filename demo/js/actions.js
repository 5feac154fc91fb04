/**
 * What the user (and the realtime feed) can make happen: each action talks to the server through api.js
 * and records the outcome in state.js. Views call these; they never call api.js themselves.
 */
import * as api from './api.js';
import { navigate } from './router.js';
import {
  putConversation, putMessages, putUsers, removeConversation, replaceConversations, setTotalUnread,
  setUnread, sortedMessages, state, thread, touch, updateMessage,
} from './state.js';
import { toast } from './ui.js';

export const PAGE_SIZE = 30;

/** Runs `fn` at most once per `ms` per key, after the last call (coalesces bursts of events). */
function debounced(fn, ms) {
  const timers = new Map();
  return (key = '') => {
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      fn(key);
    }, ms));
  };
}

/** Reports a failed background call without breaking the page. */
function report(what) {
  return (error) => {
    const err = api.describeError(error);
    console.warn(`${what} failed`, error);
    toast(`${what} failed: ${err.message}`);
  };
}

// ---- users ---------------------------------------------------------------------------------------

const wantedUsers = new Set();
const fetchWantedUsers = debounced(async () => {
  const ids = [...wantedUsers];
  wantedUsers.clear();
  if (!state.me || ids.length === 0) return;
  try {
    putUsers(await api.fetchUsers(ids));
  } catch (error) {
    console.warn('loading user names failed', error);
  }
}, 30);

/** Makes sure we will know the names of these users (fetched in one batched query). */
export function ensureUsers(ids) {
  let missing = false;
  for (const id of ids) {
    if (id && !state.users.has(id) && !wantedUsers.has(id)) {
      wantedUsers.add(id);
      missing = true;
    }
  }
  if (missing) fetchWantedUsers();
}

function ensureUsersOf(conversations) {
  ensureUsers(conversations.flatMap((c) => [...c.participantIds, c.lastMessage?.createdBy]));
}

// ---- conversations -------------------------------------------------------------------------------

export async function loadConversations() {
  const list = await api.getConversations(1, 100);
  replaceConversations(list);
  ensureUsersOf(list);
}

/** Forgets a conversation; if it was on screen, the URL goes back to the list (replacing this entry). */
export function dropConversation(conversationId) {
  if (removeConversation(conversationId)) navigate(null, { replace: true });
}

/** Re-reads one conversation (its unread count, last message, members); false when it is not mine (any more). */
const refreshConversationNow = async (conversationId) => {
  if (!state.me) return false;
  try {
    const c = await api.getConversation(conversationId);
    if (!c) return false;
    putConversation(c);
    ensureUsersOf([c]);
    return true;
  } catch (error) {
    const err = api.describeError(error);
    // Not (or no longer) a participant: drop it from the list.
    if ([102, 110].includes(err.code)) {
      dropConversation(conversationId);
      return false;
    }
    console.warn('refreshing conversation failed', error);
    return state.conversations.has(conversationId);
  }
};
export const refreshConversation = debounced(refreshConversationNow, 150);

export const refreshTotals = debounced(async () => {
  if (!state.me) return;
  try {
    setTotalUnread(await api.totalUnread());
  } catch (error) {
    console.warn('total_unread failed', error);
  }
}, 150);

/**
 * Shows a conversation (called for the URL `#/c/<id>`; views navigate instead of calling this). It
 * opens at the first unread message: the conversation's unread count, taken now, places the
 * "N new messages" divider, which stays until another conversation is opened.
 */
export async function openConversation(conversationId) {
  if (state.panel) showPanel(null); // e.g. "New conversation" re-opening the direct chat already on screen
  if (state.openId === conversationId) return;
  const previous = state.openId ? state.threads.get(state.openId) : null;
  if (previous) previous.divider = null;
  state.openId = conversationId;
  state.pane = 'chat';
  touch('open', 'conversations');
  if (!state.conversations.has(conversationId) && !(await refreshConversationNow(conversationId))) {
    // A stale or foreign link: say so and show the list (unless the user has moved on meanwhile).
    if (state.openId !== conversationId && state.openId !== null) return;
    toast('That conversation does not exist, or you are not in it.');
    dropConversation(conversationId);
    navigate(null, { replace: true });
    return;
  }
  const unread = state.conversations.get(conversationId)?.unreadCount ?? 0;
  const t = thread(conversationId);
  try {
    if (!t.loaded) await loadLatest(conversationId, { atLeast: unread });
  } catch (error) {
    report('Loading messages')(error);
    return;
  }
  if (state.openId !== conversationId) return;
  t.divider = unreadDivider(conversationId, unread);
  touch(`thread:${conversationId}`);
}

/** Where "N new messages" goes: before the N-th newest message from someone else. */
function unreadDivider(conversationId, count) {
  if (!count) return null;
  const others = sortedMessages(conversationId).filter((m) => m.createdBy !== state.me?.id && !m.pending && !m.deleted);
  if (others.length === 0) return null;
  return { beforeId: others[Math.max(0, others.length - count)].id, count };
}

/** The list (the URL `#/`): on a phone nothing is on screen any more, so new messages count as unread. */
export function closeConversation() {
  const t = state.openId ? state.threads.get(state.openId) : null;
  if (t) t.divider = null;
  state.openId = null;
  state.pane = 'list';
  state.panel = null;
  touch('open', 'panel', 'conversations');
}

export function showPanel(panel) {
  state.panel = panel;
  touch('panel');
}

/** Starts (or re-opens) a conversation with the given users. */
export async function startConversation({ participantIds, title, distinct }) {
  const { conversation, existingId } = await api.createConversation({ participantIds, title, distinct });
  const id = existingId ?? conversation.id;
  if (conversation) putConversation({ ...conversation, justAdded: Date.now() });
  refreshConversation(id);
  navigate(id);
  return id;
}

export async function rename(conversationId, title) {
  const c = await api.renameConversation(conversationId, title);
  if (c) putConversation(c);
}

async function membershipChange(conversationId, call) {
  const c = await call();
  if (c?.participantIds?.length) putConversation(c);
  // Lambdas may answer with a partial record; the full one (with our unread count) is one call away.
  await refreshConversationNow(conversationId);
}

export const addParticipants = (cid, ids) => membershipChange(cid, () => api.addParticipants(cid, ids));
export const removeParticipant = (cid, id) => membershipChange(cid, () => api.removeParticipants(cid, [id]));
export const makeAdmin = (cid, id) => membershipChange(cid, () => api.addAdmins(cid, [id]));
export const revokeAdmin = (cid, id) => membershipChange(cid, () => api.removeAdmins(cid, [id]));

export async function leave(conversationId) {
  await api.leaveConversation(conversationId);
  dropConversation(conversationId);
  refreshTotals();
}

/** Admins only: deletes the conversation for everyone (chat:delete_conversation). */
export async function deleteConversation(conversationId) {
  await api.deleteConversation(conversationId);
  dropConversation(conversationId);
  refreshTotals();
}

// ---- messages ------------------------------------------------------------------------------------

/**
 * The newest page; merged by id, so it also serves as the catch-up after a reconnect. `atLeast`
 * (the unread count) makes the page big enough to reach the first unread message.
 */
export async function loadLatest(conversationId, { atLeast = 0 } = {}) {
  const t = thread(conversationId);
  const limit = Math.min(Math.max(PAGE_SIZE, atLeast + 10), 200);
  t.loading = true;
  touch(`thread:${conversationId}`);
  try {
    const { messages, deleted } = await api.getMessages(conversationId, limit);
    if (!t.loaded) t.hasMore = messages.length + deleted.length >= limit;
    t.loaded = true;
    putMessages(conversationId, [...messages, ...deleted]);
    ensureUsers(messages.map((m) => m.createdBy));
    queueDelivered(messages);
  } finally {
    t.loading = false;
    touch(`thread:${conversationId}`);
  }
}

/** The page before the oldest message we hold (`before_message_id`). */
export async function loadOlder(conversationId) {
  const t = thread(conversationId);
  if (t.loading || !t.hasMore) return;
  const confirmed = [...t.messages.values()].filter((m) => !m.pending);
  if (confirmed.length === 0) return loadLatest(conversationId);
  const oldest = confirmed.reduce((a, b) => (a.createdAt <= b.createdAt ? a : b));
  t.loading = true;
  touch(`thread:${conversationId}`);
  try {
    const { messages, deleted } = await api.getMessages(conversationId, PAGE_SIZE, oldest.id);
    t.hasMore = messages.length + deleted.length >= PAGE_SIZE;
    putMessages(conversationId, [...messages, ...deleted]);
    ensureUsers(messages.map((m) => m.createdBy));
    queueDelivered(messages);
  } finally {
    t.loading = false;
    touch(`thread:${conversationId}`);
  }
}

/**
 * Shows the message at once, then saves the `message` record. A failure leaves it on screen marked
 * "Not sent"; when the failure was the network, it is sent again by itself once the connection is back.
 */
export async function send(conversationId, body, file) {
  const id = api.newId();
  const pending = {
    id, conversationId, body, metadata: {}, status: 'delivered', createdAt: new Date(), createdBy: state.me.id,
    attachment: file ? { url: URL.createObjectURL(file), name: file.name, contentType: file.type, isImage: /^image\//.test(file.type) } : null,
    editedAt: null, revision: 0, deleted: false, pending: true, failed: false, retryable: false, file,
  };
  putMessages(conversationId, [pending]);
  await deliver(pending);
}

/** Saves a pending message. `checkFirst`: a retry, whose earlier attempt may have reached the server. */
async function deliver(message, { checkFirst = false } = {}) {
  const cid = message.conversationId;
  try {
    const [already] = checkFirst ? await api.getMessagesByIds([message.id]) : [];
    const saved = already ?? await api.sendMessage({ id: message.id, conversationId: cid, body: message.body, file: message.file });
    if (saved) {
      putMessages(cid, [{ ...saved, conversationId: cid, pending: false, failed: false, retryable: false, file: undefined }]);
      // The bubble now shows the server's copy; the local preview is no longer needed.
      if (message.attachment?.url?.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(message.attachment.url), 5000);
    }
  } catch (error) {
    const err = api.describeError(error);
    updateMessage(cid, message.id, { failed: true, retryable: err.offline });
    if (err.offline) toast(`${err.message} Your message will be sent when the connection is back.`, { key: 'offline-send' });
    else report('Sending')(error);
  }
}

export function retry(conversationId, messageId) {
  const m = state.threads.get(conversationId)?.messages.get(messageId);
  if (!m || !m.pending) return;
  updateMessage(conversationId, messageId, { failed: false });
  deliver(m, { checkFirst: true });
}

let retrying = false;

/** After a reconnect: sends again, oldest first, every message that failed for want of a network. */
export async function retryUnsent() {
  if (retrying || !state.me) return;
  retrying = true;
  try {
    const unsent = [...state.threads.values()].flatMap((t) => [...t.messages.values()])
      .filter((m) => m.pending && m.failed && m.retryable)
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const m of unsent) {
      updateMessage(m.conversationId, m.id, { failed: false });
      await deliver(m, { checkFirst: true });
    }
  } finally {
    retrying = false;
  }
}

/** Saves a new text for my message (chat-api.md §6 "Edit"); the server marks it edited for everyone. */
export async function editMessage(conversationId, messageId, body) {
  const saved = await api.editMessage(messageId, body);
  if (saved) putMessages(conversationId, [{ ...saved, conversationId }]);
}

/** Deletes a message for everyone (mine, or anyone's as an admin); it stays as "message deleted". */
export async function deleteMessage(conversationId, messageId) {
  const deleted = await api.deleteMessage(messageId);
  putMessages(conversationId, [{ ...(deleted ?? {}), id: messageId, conversationId, deleted: true }]);
  refreshConversation(conversationId);
  refreshTotals();
}

// ---- attachment URLs (see attachments.js) ------------------------------------------------------------

const staleAttachments = new Map(); // messageId -> {conversationId, waiters: [resolve]}
const triedUrls = new Set(); // URLs already replaced once
const refreshTimes = new Map(); // messageId -> times of recent refreshes (a file that is gone must not loop)
const MAX_REFRESHES_PER_MINUTE = 3;

const fetchFreshUrls = debounced(async () => {
  const batch = new Map(staleAttachments);
  staleAttachments.clear();
  let fresh = [];
  try {
    fresh = await api.getMessagesByIds([...batch.keys()]);
  } catch (error) {
    console.warn('refreshing attachment URLs failed', error);
  }
  const byId = new Map(fresh.map((m) => [m.id, m]));
  for (const [id, { conversationId, waiters }] of batch) {
    const m = byId.get(id);
    if (m) putMessages(conversationId, [{ ...m, conversationId }], { freshUrls: true });
    for (const resolve of waiters) resolve(m?.attachment?.url ?? null);
  }
}, 50);

/**
 * The attachment URL of this message expired or failed to load: asks the server to sign a new one
 * (batched) and resolves to it, or to null when we have asked too often or the message is gone.
 */
export function refreshAttachmentUrl(message) {
  const url = message.attachment?.url;
  if (!url || url.startsWith('blob:') || message.pending || triedUrls.has(url)) return Promise.resolve(null);
  const now = Date.now();
  const recent = (refreshTimes.get(message.id) ?? []).filter((t) => now - t < 60_000);
  if (recent.length >= MAX_REFRESHES_PER_MINUTE) return Promise.resolve(null);
  refreshTimes.set(message.id, [...recent, now]);
  triedUrls.add(url);
  return new Promise((resolve) => {
    const entry = staleAttachments.get(message.id) ?? { conversationId: message.conversationId, waiters: [] };
    entry.waiters.push(resolve);
    staleAttachments.set(message.id, entry);
    fetchFreshUrls();
  });
}

export async function receipts(messageId) {
  const list = await api.getReceipts(messageId);
  ensureUsers(list.map((r) => r.userId));
  return list;
}

// ---- delivered / read markers (batched) ----------------------------------------------------------

const deliveredSent = new Set();
const readSent = new Set();
let deliveredQueue = [];
let readQueue = new Map(); // messageId -> conversationId

const flushDelivered = debounced(() => {
  const ids = deliveredQueue;
  deliveredQueue = [];
  api.markAsDelivered(ids).catch((error) => {
    for (const id of ids) deliveredSent.delete(id);
    console.warn('mark_as_delivered failed', error);
  });
}, 200);

/** Messages from others that reached this page are "delivered". */
export function queueDelivered(messages) {
  for (const m of messages) {
    if (m.pending || m.createdBy === state.me?.id || deliveredSent.has(m.id)) continue;
    deliveredSent.add(m.id);
    deliveredQueue.push(m.id);
  }
  if (deliveredQueue.length) flushDelivered();
}

const flushRead = debounced(async () => {
  const batch = readQueue;
  readQueue = new Map();
  const ids = [...batch.keys()];
  try {
    await api.markAsRead(ids);
  } catch (error) {
    for (const id of ids) readSent.delete(id);
    console.warn('mark_as_read failed', error);
    return;
  }
  for (const cid of new Set(batch.values())) {
    setUnread(cid, 0); // optimistic: what was visible is read; the refresh below has the final word
    refreshConversation(cid);
  }
  refreshTotals();
}, 250);

/** A message from someone else was on screen while the page was visible: mark it read. */
export function queueRead(message) {
  if (message.pending || message.createdBy === state.me?.id || readSent.has(message.id)) return;
  readSent.add(message.id);
  readQueue.set(message.id, message.conversationId);
  flushRead();
}

export function resetMarkers() {
  deliveredSent.clear();
  readSent.clear();
  deliveredQueue = [];
  readQueue = new Map();
}

// ---- typing --------------------------------------------------------------------------------------

export function sendTyping(conversationId, event) {
  api.typing(conversationId, event).catch((error) => console.warn('chat:typing failed', error));
}

/**
 * The reader's own read state changed on another device (or by a delete): the server's count is the
 * badge everywhere (chat-api.md §4, last paragraph).
 */
export function applyReadState(readState) {
  if (!state.me || (readState.userId && readState.userId !== state.me.id)) return;
  setUnread(readState.conversationId, readState.unreadCount);
  refreshTotals();
}

/** Re-fetches everything the realtime feed may have missed (after a reconnect), and sends what could not be. */
export async function catchUp() {
  if (!state.me) return;
  retryUnsent();
  const jobs = [loadConversations(), api.totalUnread().then(setTotalUnread)];
  if (state.openId && state.threads.get(state.openId)?.loaded) jobs.push(loadLatest(state.openId));
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') console.warn('catch-up step failed', r.reason);
}
