/**
 * What the user (and the realtime feed) can make happen: each action talks to the server through api.js
 * and records the outcome in state.js. Views call these; they never call api.js themselves.
 */
import * as api from './api.js';
import {
  putConversation, putMessages, putUsers, removeConversation, replaceConversations, setTotalUnread,
  setUnread, state, thread, touch, updateMessage,
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

/** Re-reads one conversation (its unread count, last message, members) from the server. */
const refreshConversationNow = async (conversationId) => {
  if (!state.me) return;
  try {
    const c = await api.getConversation(conversationId);
    if (c) {
      putConversation(c);
      ensureUsersOf([c]);
    }
  } catch (error) {
    const err = api.describeError(error);
    // Not (or no longer) a participant: drop it from the list.
    if ([102, 110].includes(err.code)) removeConversation(conversationId);
    else console.warn('refreshing conversation failed', error);
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

export function openConversation(conversationId) {
  state.openId = conversationId;
  state.pane = 'chat';
  state.panel = null;
  touch('open', 'panel', 'conversations');
  if (!state.conversations.has(conversationId)) refreshConversationNow(conversationId);
  const t = thread(conversationId);
  if (!t.loaded && !t.loading) loadLatest(conversationId).catch(report('Loading messages'));
}

/** Back to the list (phone layout): nothing is on screen any more, so new messages count as unread. */
export function closeConversation() {
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
  openConversation(id);
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
  removeConversation(conversationId);
  refreshTotals();
}

// ---- messages ------------------------------------------------------------------------------------

/** The newest page; merged by id, so it also serves as the catch-up after a reconnect. */
export async function loadLatest(conversationId) {
  const t = thread(conversationId);
  t.loading = true;
  touch(`thread:${conversationId}`);
  try {
    const messages = await api.getMessages(conversationId, PAGE_SIZE);
    if (!t.loaded) t.hasMore = messages.length === PAGE_SIZE;
    t.loaded = true;
    putMessages(conversationId, messages);
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
    const messages = await api.getMessages(conversationId, PAGE_SIZE, oldest.id);
    t.hasMore = messages.length === PAGE_SIZE;
    putMessages(conversationId, messages);
    ensureUsers(messages.map((m) => m.createdBy));
    queueDelivered(messages);
  } finally {
    t.loading = false;
    touch(`thread:${conversationId}`);
  }
}

/** Shows the message at once, then saves the `message` record; a failure leaves it marked for retry. */
export async function send(conversationId, body, file) {
  const id = api.newId();
  const pending = {
    id, conversationId, body, metadata: {}, status: 'delivered', createdAt: new Date(), createdBy: state.me.id,
    attachment: file ? { url: URL.createObjectURL(file), name: file.name, contentType: file.type, isImage: /^image\//.test(file.type) } : null,
    deleted: false, pending: true, failed: false, file,
  };
  putMessages(conversationId, [pending]);
  await deliver(pending);
}

async function deliver(message) {
  try {
    const saved = await api.sendMessage({ id: message.id, conversationId: message.conversationId, body: message.body, file: message.file });
    if (saved) {
      putMessages(message.conversationId, [{ ...saved, conversationId: message.conversationId, pending: false, failed: false, file: undefined }]);
      // The bubble now shows the server's copy; the local preview is no longer needed.
      if (message.attachment?.url?.startsWith('blob:')) setTimeout(() => URL.revokeObjectURL(message.attachment.url), 5000);
    }
  } catch (error) {
    updateMessage(message.conversationId, message.id, { failed: true });
    report('Sending')(error);
  }
}

export function retry(conversationId, messageId) {
  const m = state.threads.get(conversationId)?.messages.get(messageId);
  if (!m || !m.pending) return;
  updateMessage(conversationId, messageId, { failed: false });
  deliver(m);
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

/** Re-fetches everything the realtime feed may have missed (after a reconnect). */
export async function catchUp() {
  if (!state.me) return;
  const jobs = [loadConversations(), api.totalUnread().then(setTotalUnread)];
  if (state.openId && state.threads.get(state.openId)?.loaded) jobs.push(loadLatest(state.openId));
  const results = await Promise.allSettled(jobs);
  for (const r of results) if (r.status === 'rejected') console.warn('catch-up step failed', r.reason);
}
