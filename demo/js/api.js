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

/** The error the client threw, flattened: `{code, name, message, info}` (codes per skygear-protocol §2). */
export function describeError(error) {
  const inner = error?.error ?? error ?? {};
  return {
    code: inner.code ?? null,
    name: inner.name ?? '',
    message: inner.message || error?.message || String(error),
    info: inner.info ?? null,
  };
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

/** One page of messages, newest first, strictly older than `beforeMessageId` when given. */
export async function getMessages(conversationId, limit, beforeMessageId) {
  const args = { conversation_id: conversationId, limit };
  if (beforeMessageId) args.before_message_id = beforeMessageId;
  const result = await lambda('chat:get_messages', args);
  return (result?.results ?? []).map(toMessage).filter(Boolean);
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
