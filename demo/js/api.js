/**
 * Everything the page asks of the server, through the unmodified skygear 1.7.2 client (`window.skygear`).
 * Lambda argument names follow docs chat-api.md §2; results are normalised by model.js.
 */
import { toConversation, toMessage, toReceipt, toUser } from './model.js';

const sky = () => window.skygear;

/** The API key: `?apiKey=` in the page URL wins, else the `<meta name="skygear-api-key">`, else "changeme". */
export function apiKey() {
  const fromQuery = new URLSearchParams(location.search).get('apiKey');
  const fromMeta = document.querySelector('meta[name="skygear-api-key"]')?.getAttribute('content');
  return fromQuery || fromMeta || 'changeme';
}

/** Configures the client against the server that served this page; restores a stored session. */
export async function configure() {
  if (!sky()) throw new Error('The Skygear client (vendor/skygear.js) did not load.');
  await sky().config({ endPoint: `${location.origin}/`, apiKey: apiKey() });
  return currentUser();
}

export function currentUser() {
  const user = sky().auth.currentUser;
  return user ? toUser(user) : null;
}

export function onUserChanged(listener) {
  return sky().auth.onUserChanged((user) => listener(user ? toUser(user) : null));
}

export async function signup(username, password) {
  return toUser(await sky().auth.signupWithUsername(username, password));
}

export async function login(username, password) {
  return toUser(await sky().auth.loginWithUsername(username, password));
}

export async function logout() {
  await sky().auth.logout();
}

/** What the skygear client throws when the request never reached the server (superagent's text). */
const NETWORK_FAILURE = /Request has been terminated|Failed to fetch|NetworkError|network (?:is )?offline|ERR_INTERNET_DISCONNECTED/i;

/**
 * The error the client threw, flattened: `{code, name, message, info, offline}` (codes per
 * skygear-protocol §2). `message` is fit to show: a request that never reached the server says so in
 * plain words instead of the client's "Request has been terminated. Possible causes: … CORS …" text.
 */
export function describeError(error) {
  const inner = error?.error ?? error ?? {};
  const code = inner.code ?? null;
  const raw = inner.message || error?.message || String(error);
  const offline = code === null && (NETWORK_FAILURE.test(raw) || navigator.onLine === false);
  let message = raw;
  if (offline) message = navigator.onLine === false ? 'You are offline.' : 'Cannot reach the server.';
  else if (code === 108 && inner.info?.limit !== undefined) message = limitMessage(inner.info);
  return { code, name: inner.name ?? '', message, info: inner.info ?? null, offline };
}

/** A bound of chat-api.md §2 ("Bounds") the server refused with 108 `{limit, arguments}`, in words. */
function limitMessage(info) {
  const what = (info.arguments ?? [])[0];
  const limit = Number(info.limit);
  if (what === 'body') return `The message is too long: at most ${formatBytes(limit)}.`;
  if (what === 'metadata') return `The message's extra data is too large: at most ${formatBytes(limit)}.`;
  if (what === 'title') return `The name is too long: at most ${limit} characters.`;
  if (what) return `Too much ${what}: the limit is ${limit}.`;
  return `That is over the server's limit (${limit}).`;
}

/** 65536 → "64 KB" (KiB, as the server counts). */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  const kib = bytes / 1024;
  return `${kib >= 100 || Number.isInteger(kib) ? Math.round(kib) : kib.toFixed(1)} KB`;
}

// ---- users -------------------------------------------------------------------------------------

const UserRecord = () => sky().UserRecord;

/** LIKE pattern for a literal substring (escape the wildcards the user typed). */
function containsPattern(text) {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Users whose username contains `text` (case-insensitive), excluding `excludeId`. */
export async function searchUsers(text, excludeId) {
  const query = new (sky().Query)(UserRecord());
  query.caseInsensitiveLike('username', containsPattern(text.trim()));
  query.addAscending('username');
  query.limit = 20;
  const results = await sky().publicDB.query(query);
  return Array.from(results).map(toUser).filter((u) => u && u.id !== excludeId);
}

/** User records by bare id (for names of participants and senders). */
export async function fetchUsers(ids) {
  if (ids.length === 0) return [];
  const query = new (sky().Query)(UserRecord());
  query.contains('_id', ids);
  query.limit = ids.length;
  const results = await sky().publicDB.query(query);
  return Array.from(results).map(toUser).filter(Boolean);
}

// ---- user_channel (chat-plugin-features §3.1) ----------------------------------------------------

function uuid4() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context (https or localhost); getRandomValues does not.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The name of this user's pubsub channel: the `user_channel` record in the private DB, created once. */
export async function ensureUserChannel() {
  const UserChannel = sky().Record.extend('user_channel');
  const query = new (sky().Query)(UserChannel);
  query.addAscending('_created_at');
  query.limit = 1;
  const existing = async () => Array.from(await sky().privateDB.query(query)).find((c) => c.name)?.name ?? null;
  const found = await existing();
  if (found) return found;
  try {
    return (await sky().privateDB.save(new UserChannel({ name: uuid4() }))).name;
  } catch (error) {
    // Another tab of the same user may have created it a moment ago (the server allows one per user).
    const raced = await existing();
    if (raced) return raced;
    throw error;
  }
}

export function subscribe(channel, handler) {
  sky().pubsub.on(channel, handler);
}

export function unsubscribe(channel, handler) {
  sky().pubsub.off(channel, handler);
}

export function onPubsubOpen(listener) {
  sky().pubsub.onOpen(listener);
}

export function onPubsubClose(listener) {
  sky().pubsub.onClose(listener);
}

// ---- chat lambdas --------------------------------------------------------------------------------

const lambda = (name, args) => sky().lambda(name, args);

/** Maps ids to the `user/<id>` form the create lambda accepts. */
const userRefs = (ids) => ids.map((id) => `user/${id}`);

/**
 * Creates a conversation. For a distinct (direct) conversation that already exists the server answers
 * InvalidArgument 108 with `info.conversation_id`; we return `{existingId}` so the caller opens it.
 */
export async function createConversation({ participantIds, title, distinct, adminIds = [] }) {
  try {
    const result = await lambda('chat:create_conversation', {
      participants: userRefs(participantIds),
      title: title || null,
      metadata: {},
      options: { distinctByParticipants: distinct, adminIDs: adminIds },
    });
    return { conversation: toConversation(result.conversation) };
  } catch (error) {
    const err = describeError(error);
    if (err.code === 108 && err.info?.conversation_id) return { existingId: String(err.info.conversation_id) };
    throw error;
  }
}

export async function getConversations(page = 1, pageSize = 50) {
  const result = await lambda('chat:get_conversations', { page, page_size: pageSize });
  return (result?.conversations ?? []).map(toConversation).filter(Boolean);
}

export async function getConversation(conversationId) {
  const result = await lambda('chat:get_conversation', { conversation_id: conversationId });
  return toConversation(result?.conversation);
}

/** Admins rename by saving the conversation record itself (the seed-era record API). */
export async function renameConversation(conversationId, title) {
  const Conversation = sky().Record.extend('conversation');
  const saved = await sky().publicDB.save(new Conversation({ _id: `conversation/${conversationId}`, title }));
  return toConversation(saved);
}

export async function addParticipants(conversationId, userIds) {
  const r = await lambda('chat:add_participants', { conversation_id: conversationId, participant_ids: userIds });
  return toConversation(r?.conversation);
}

export async function removeParticipants(conversationId, userIds) {
  const r = await lambda('chat:remove_participants', { conversation_id: conversationId, participant_ids: userIds });
  return toConversation(r?.conversation);
}

export async function addAdmins(conversationId, userIds) {
  const r = await lambda('chat:add_admins', { conversation_id: conversationId, admin_ids: userIds });
  return toConversation(r?.conversation);
}

export async function removeAdmins(conversationId, userIds) {
  const r = await lambda('chat:remove_admins', { conversation_id: conversationId, admin_ids: userIds });
  return toConversation(r?.conversation);
}

export async function leaveConversation(conversationId) {
  await lambda('chat:leave_conversation', { conversation_id: conversationId });
}

/**
 * One page of messages, newest first, strictly older than `beforeMessageId` when given, and the
 * deleted messages inside that window (`deleted`, chat-api.md §6), which the page shows as deleted.
 */
export async function getMessages(conversationId, limit, beforeMessageId) {
  const args = { conversation_id: conversationId, limit };
  if (beforeMessageId) args.before_message_id = beforeMessageId;
  const result = await lambda('chat:get_messages', args);
  const deleted = (result?.deleted ?? []).map(toMessage).filter(Boolean).map((m) => ({ ...m, deleted: true }));
  return { messages: (result?.results ?? []).map(toMessage).filter(Boolean), deleted };
}

/** Messages by id (each with a freshly signed attachment URL); ones I may not read are left out. */
export async function getMessagesByIds(messageIds) {
  if (messageIds.length === 0) return [];
  const result = await lambda('chat:get_messages_by_ids', { message_ids: messageIds });
  return (result?.results ?? []).map(toMessage).filter(Boolean);
}

/** Edits my message: the record saved again with a new body (chat-api.md §6 "Edit"). */
export async function editMessage(messageId, body) {
  const Message = sky().Record.extend('message');
  return toMessage(await sky().publicDB.save(new Message({ _id: `message/${messageId}`, body })));
}

/** Deletes a message (mine, or any as an admin); the server answers with the stripped record. */
export async function deleteMessage(messageId) {
  const result = await lambda('chat:delete_message', { message_id: messageId });
  const message = toMessage(result?.message ?? result);
  return message ? { ...message, deleted: true } : null;
}

export async function deleteConversation(conversationId) {
  await lambda('chat:delete_conversation', { conversation_id: conversationId });
}

/**
 * Sends a message by saving a `message` record (the seed-era way); `file` is uploaded first by the
 * client (asset:put + multipart POST) because it is a skygear.Asset with a `file`.
 * `id` lets the caller show the message before the server confirms it.
 */
export async function sendMessage({ id, conversationId, body, file }) {
  const Message = sky().Record.extend('message');
  const attrs = {
    _id: `message/${id}`,
    body,
    conversation_id: new (sky().Reference)(`conversation/${conversationId}`),
    metadata: {},
  };
  if (file) {
    attrs.attachment = new (sky().Asset)({
      name: file.name.replace(/[+/\\]/g, '_') || 'attachment',
      file,
      contentType: file.type || 'application/octet-stream',
    });
  }
  return toMessage(await sky().publicDB.save(new Message(attrs)));
}

/** Positional `[ids]`: both original JS SDKs sent mark_as_* this way (a list of bare ids). */
export async function markAsDelivered(messageIds) {
  if (messageIds.length) await lambda('chat:mark_as_delivered', [messageIds]);
}

export async function markAsRead(messageIds) {
  if (messageIds.length) await lambda('chat:mark_as_read', [messageIds]);
}

export async function getReceipts(messageId) {
  const result = await lambda('chat:get_receipt', { message_id: messageId });
  return (result?.receipts ?? []).map(toReceipt);
}

export async function totalUnread() {
  const result = await lambda('chat:total_unread');
  return { conversation: Number(result?.conversation ?? 0), message: Number(result?.message ?? 0) };
}

export async function typing(conversationId, event) {
  await lambda('chat:typing', { conversation_id: conversationId, event, at: new Date().toISOString() });
}

export function newId() {
  return uuid4();
}
