/**
 * Turns whatever the server hands us into small plain objects the views can trust.
 *
 * The same record reaches the page in three shapes: a skygear `Record` (record:save / record:query),
 * a lambda result decoded by `skygear.lambda` (plain objects whose `$type` values became Date /
 * Reference / Asset, or a Record when the server sent `$type: record`), and the raw JSON of a pubsub
 * event (`_created_at` strings, `{$type: 'ref'}` objects). Everything below accepts all three.
 */

/** The bare key of an id such as `message/abc` (or a Reference, Record, or `{$id}`), else null. */
export function bareId(value, type) {
  if (value === null || value === undefined || value === '') return null;
  let id = value;
  if (typeof value === 'object') {
    if (typeof value.$id === 'string') id = value.$id;
    else if (typeof value.recordType === 'string' && typeof value._id === 'string') return value._id; // Record
    else if (typeof value.id === 'string') id = value.id; // Reference
    else if (typeof value._id === 'string') id = value._id; // raw record JSON
    else return null;
  }
  id = String(id);
  if (type && id.startsWith(`${type}/`)) return id.slice(type.length + 1);
  // An id of some other type ("user/…" where we expected a bare id) keeps only its key.
  const slash = id.indexOf('/');
  return !type && slash > 0 && /^[a-z_]+$/i.test(id.slice(0, slash)) ? id.slice(slash + 1) : id;
}

/** Reads a system field from either a Record (`createdAt`) or JSON (`_created_at`). */
function sys(obj, jsonKey, recordKey) {
  if (obj[recordKey] !== undefined) return obj[recordKey];
  return obj[jsonKey];
}

export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'object' && value.$date) return new Date(value.$date);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function toAsset(value) {
  if (!value || typeof value !== 'object') return null;
  const rawUrl = value.url ?? value.$url ?? null;
  // Only URLs we can safely put in href/src (the server signs http(s) URLs; pending uploads use blob:).
  const url = typeof rawUrl === 'string' && /^(https?:|blob:)/i.test(rawUrl) ? rawUrl : null;
  const name = value.name ?? value.$name ?? '';
  const contentType = value.contentType ?? value.$content_type ?? '';
  if (!url && !name) return null;
  return { url, name, contentType, isImage: /^image\//.test(contentType) || /\.(png|jpe?g|gif|webp|svg)$/i.test(name) };
}

/** A readable name for a file: the server prefixes uploads with a uuid ("<uuid>-photo.png"). */
export function displayFileName(name) {
  return String(name || 'file').replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/i, '');
}

export const STATUSES = ['delivered', 'some_read', 'all_read'];

export function toMessage(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const id = bareId(raw, 'message');
  if (!id) return null;
  const status = raw.conversation_status ?? raw.message_status ?? 'delivered';
  const deleted = raw.deleted === true;
  return {
    id,
    conversationId: bareId(raw.conversation_id ?? raw.conversation ?? null, 'conversation'),
    // A deleted message keeps only its place in the conversation (the server strips it too).
    body: !deleted && typeof raw.body === 'string' ? raw.body : '',
    metadata: !deleted && raw.metadata && typeof raw.metadata === 'object' ? raw.metadata : {},
    attachment: deleted ? null : toAsset(raw.attachment),
    status: STATUSES.includes(status) ? status : 'delivered',
    createdAt: toDate(sys(raw, '_created_at', 'createdAt')) ?? new Date(),
    createdBy: bareId(sys(raw, '_created_by', 'createdBy') ?? sys(raw, '_ownerID', 'ownerID'), 'user'),
    // Set by the server on an edit (chat-api.md §6); `revision` orders two versions of one message.
    editedAt: toDate(raw.edited_at),
    revision: typeof raw.revision === 'number' ? raw.revision : 0,
    deleted,
    pending: false,
    failed: false,
  };
}

function idList(value) {
  return Array.isArray(value) ? value.map((v) => bareId(v, 'user')).filter(Boolean) : [];
}

/**
 * A conversation. `lastMessage` is a full message when the server embedded one (get_conversation(s)),
 * `lastMessageId` is known even when only a reference came (a conversation record event).
 */
export function toConversation(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const id = bareId(raw, 'conversation');
  if (!id) return null;
  const last = raw.last_message;
  const lastIsMessage = last && typeof last === 'object' && (last.body !== undefined || last.attachment !== undefined
    || typeof last._id === 'string' && !last.$id);
  const lastMessage = lastIsMessage ? toMessage(last) : null;
  // undefined = the payload does not say; null = the server says there is no message (any more).
  const saysLast = last !== undefined || raw.last_message_ref !== undefined;
  const lastMessageId = saysLast ? lastMessage?.id ?? bareId(last ?? raw.last_message_ref ?? null, 'message') : undefined;
  const unread = raw.unread_count;
  const deleted = raw.deleted === true;
  return {
    id,
    title: typeof raw.title === 'string' ? raw.title : '',
    participantIds: idList(raw.participant_ids),
    adminIds: idList(raw.admin_ids),
    distinct: raw.distinct_by_participants === true,
    metadata: raw.metadata && typeof raw.metadata === 'object' ? raw.metadata : {},
    lastMessage,
    lastMessageId,
    // undefined = "this payload did not say" (record events), so merging keeps the known count.
    unreadCount: typeof unread === 'number' ? unread : undefined,
    createdAt: toDate(sys(raw, '_created_at', 'createdAt')),
    updatedAt: toDate(sys(raw, '_updated_at', 'updatedAt')),
    deleted,
  };
}

/**
 * The reader's own read state of one conversation, from a `user_conversation` record (chat-api.md §4:
 * sent to its owner when a read on another device, or a delete, changes it).
 */
export function toReadState(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const conversationId = bareId(raw.conversation ?? null, 'conversation');
  const unread = Number(raw.unread_count);
  if (!conversationId || !Number.isFinite(unread)) return null;
  return {
    conversationId,
    userId: bareId(raw.user ?? null, 'user'),
    unreadCount: unread,
    lastReadMessageId: bareId(raw.last_read_message ?? null, 'message'),
  };
}

/** Merges a fresh conversation payload over what we knew, keeping what the payload did not carry. */
export function mergeConversation(known, fresh) {
  if (!known) return { ...fresh, unreadCount: fresh.unreadCount ?? 0 };
  const merged = { ...known, ...fresh };
  if (fresh.unreadCount === undefined) merged.unreadCount = known.unreadCount;
  if (!fresh.lastMessage) {
    if (fresh.lastMessageId === null) {
      merged.lastMessage = null; // no message left (the last ones were deleted)
    } else {
      // Only an id (a record event), or nothing: keep the preview we have; when the id says the last
      // message changed, putConversation or a re-read puts the right one.
      merged.lastMessage = known.lastMessage;
      merged.lastMessageId = fresh.lastMessageId ?? known.lastMessageId;
    }
  }
  if (!fresh.createdAt) merged.createdAt = known.createdAt;
  if (!fresh.updatedAt) merged.updatedAt = known.updatedAt;
  return merged;
}

/** Latest activity: the newest message, else the last change of the conversation itself. */
export function lastActivity(conversation) {
  const times = [conversation.lastMessage?.createdAt, conversation.updatedAt, conversation.createdAt]
    .filter((d) => d instanceof Date)
    .map((d) => d.getTime());
  return times.length ? Math.max(...times) : 0;
}

export function toUser(raw) {
  if (!raw || typeof raw !== 'object') return null;
  const id = bareId(raw, 'user');
  if (!id) return null;
  const username = typeof raw.username === 'string' ? raw.username : '';
  const name = typeof raw.name === 'string' && raw.name ? raw.name : username;
  return { id, username, name: name || id.slice(0, 8) };
}

export function toReceipt(raw) {
  return {
    userId: bareId(raw.user_id ?? raw.user ?? null, 'user'),
    readAt: toDate(raw.read_at),
    deliveredAt: toDate(raw.delivered_at),
  };
}

/** Newest-last order with a stable tie-break, so equal timestamps never shuffle. */
export function compareMessages(a, b) {
  const diff = a.createdAt.getTime() - b.createdAt.getTime();
  if (diff !== 0) return diff;
  if (a.pending !== b.pending) return a.pending ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
