import { type Args, idList, readArgs, requiredId } from './args';
import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notFound, notSupported, permissionDenied } from './errors';
import { participantRole, receiptId } from './ids';
import { loadConversation, lockConversations, participantReadAcl } from './membership';
import { USER_CONVERSATION_COLUMNS, dateJSON, hookResult, isoString, refId, refJSON, userConversationJSON, wireJSON } from './records';
import type { Outbox } from './realtime';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf, isMasterKey } from './caller';
import { NOW_UTC, type Queryable } from './sql';
import { lockMessages, publishMessageUpdates, recomputeStatusOfMessages } from './status';
import { advanceReadMarkers, recountUnread } from './unread';

/**
 * Receipts (I5): one per (user, message) with a deterministic id, timestamps set once and never
 * unset or moved, read implies delivered. Reading also advances the reader's marker and recounts
 * their unread count (I3), and recomputes the message status (I4).
 *
 * chat:mark_as_read, chat:mark_as_delivered, a receipt saved through the record API and a
 * user_conversation.last_read_message save all end here, so they end in the same state.
 */
export type MarkKind = 'read' | 'delivered';

/**
 * How the caller got here, which decides the locks (see docs/chat-semantics.md "Locking"):
 * - 'lambda' (and deferred hook work): conversation rows first, then the reader's own
 *   user_conversation rows, then the message rows, then receipts — the plugin's global order.
 * - 'row-locked': a record-API save of the reader's user_conversation or receipt, in its save. The
 *   server locked that row BEFORE any hook ran, so taking the conversation lock now would invert the
 *   order and deadlock with message sends (which hold the conversation and then update every
 *   member's row). This path therefore takes no conversation lock: it only touches the reader's own
 *   row (already locked, so no +1 can interleave with the recount) and serialises status updates
 *   on the message rows, which every status writer locks before reading receipts.
 */
export type MarkMode = 'lambda' | 'row-locked';

export async function markMessages(
  rt: ChatRuntime,
  q: Queryable,
  outbox: Outbox,
  userId: string,
  requestedIds: readonly string[],
  kind: MarkKind,
  mode: MarkMode = 'lambda',
): Promise<void> {
  if (requestedIds.length === 0) return;
  const found = await q.query<{ _id: string; conversation_id: string; deleted: boolean }>(
    `SELECT _id, conversation_id, deleted FROM message WHERE _id = ANY($1::text[])`,
    [[...requestedIds]],
  );
  const missing = requestedIds.filter((id) => !found.rows.some((r) => r._id === id));
  if (missing.length > 0) throw notFound(`message ${missing.map((m) => `"${m}"`).join(', ')} not found`);
  // A message deleted meanwhile (a client's cached page) is skipped, not an error for the whole list.
  const live = found.rows.filter((r) => !r.deleted);
  const messageIds = live.map((r) => r._id);
  if (messageIds.length === 0) return;
  // Messages never move between conversations, so reading them before taking the locks is safe.
  const conversationIds = [...new Set(live.map((r) => r.conversation_id))];
  const conversations =
    mode === 'lambda'
      ? await lockConversations(q, conversationIds)
      : new Map((await Promise.all(conversationIds.map((cid) => loadConversation(q, cid, false)))).filter((c) => c !== null).map((c) => [c!._id, c!]));
  for (const cid of conversationIds) {
    const conversation = conversations.get(cid);
    if (!conversation || !conversation.participant_ids.includes(userId)) {
      throw permissionDenied('user is not a participant of the message\'s conversation, permission denied');
    }
  }
  const read = kind === 'read';
  await lockOwnRows(q, userId, conversationIds);
  if (read) await lockMessages(q, messageIds);
  await q.query(
    `INSERT INTO receipt (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                          read_at, delivered_at, user_id, message_id, "user", message)
     SELECT t.rid, '', $1, jsonb_build_array(jsonb_build_object('role', $4 || m.conversation_id, 'level', 'read')),
            ${NOW_UTC}, $1, ${NOW_UTC}, $1, CASE WHEN $3::boolean THEN ${NOW_UTC} END, ${NOW_UTC}, $1, m._id, $1, m._id
       FROM unnest($2::text[], $5::text[]) AS t(mid, rid) JOIN message m ON m._id = t.mid
     ON CONFLICT (message_id, user_id) DO UPDATE
        SET delivered_at = COALESCE(receipt.delivered_at, EXCLUDED.delivered_at),
            read_at = COALESCE(receipt.read_at, EXCLUDED.read_at),
            _updated_at = CASE WHEN receipt.delivered_at IS NULL OR (receipt.read_at IS NULL AND EXCLUDED.read_at IS NOT NULL)
                               THEN EXCLUDED._updated_at ELSE receipt._updated_at END`,
    [userId, [...messageIds], read, PARTICIPANT_ROLE_PREFIX, messageIds.map((m) => receiptId(m, userId))],
  );
  if (!read) return;
  const moved = await advanceReadMarkers(q, userId, messageIds);
  await recountUnread(q, conversationIds, userId);
  await publishOwnReadState(q, outbox, userId, moved);
  const changed = await recomputeStatusOfMessages(q, messageIds);
  await publishMessageUpdates(rt, q, outbox, changed);
}

/**
 * The reader's own user_conversation rows whose read marker moved, as `update` to the reader
 * (chat-api.md §4): their other devices clear the same badges.
 */
async function publishOwnReadState(q: Queryable, outbox: Outbox, userId: string, conversationIds: string[]): Promise<void> {
  if (conversationIds.length === 0) return;
  const rows = await q.query(`SELECT ${USER_CONVERSATION_COLUMNS} FROM user_conversation WHERE "user" = $1 AND conversation = ANY($2::text[])`, [
    userId,
    conversationIds,
  ]);
  for (const row of rows.rows) outbox.publishRecord([userId], 'update', 'user_conversation', userConversationJSON(row));
}

const PARTICIPANT_ROLE_PREFIX = participantRole('');

/** The reader's own user_conversation rows, in ascending _id order. */
async function lockOwnRows(q: Queryable, userId: string, conversationIds: string[]): Promise<void> {
  await q.query(
    `SELECT _id FROM user_conversation WHERE "user" = $1 AND conversation = ANY($2::text[]) ORDER BY _id FOR NO KEY UPDATE`,
    [userId, conversationIds],
  );
}

const MARK_ARGS = ['message_ids'] as const;

function markArgs(param: unknown): string[] {
  const args: Args = readArgs(param, MARK_ARGS);
  // Old clients send one id as a string; 1.7 sends a list (and the key may be `message_id`).
  if (args.message_ids === undefined && args.message_id !== undefined) args.message_ids = args.message_id;
  return idList(args, 'message_ids', 'message', { single: true });
}

/** chat:mark_as_read — one message id or a list; the caller must be a participant of each. */
export async function markAsRead(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const ids = markArgs(param);
  await rt.lambda((q, outbox) => markMessages(rt, q, outbox, userId, ids, 'read'));
  return { status: 'OK' };
}

/** chat:mark_as_delivered */
export async function markAsDelivered(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const ids = markArgs(param);
  await rt.lambda((q, outbox) => markMessages(rt, q, outbox, userId, ids, 'delivered'));
  return { status: 'OK' };
}

/** chat:get_receipt — every receipt of a message the caller can see. */
export async function getReceipt(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const messageId = requiredId(readArgs(param, ['message_id']), 'message_id', 'message');
  return rt.lambda(async (q) => {
    const res = await q.query<{ participant_ids: unknown }>(
      `SELECT c.participant_ids FROM message m JOIN conversation c ON c._id = m.conversation_id WHERE m._id = $1 AND NOT m.deleted`,
      [messageId],
    );
    if (res.rows.length === 0) throw notFound(`message "${messageId}" not found`);
    const participants = res.rows[0].participant_ids;
    if (!Array.isArray(participants) || !participants.includes(userId)) {
      throw permissionDenied('user is not a participant of the message\'s conversation, permission denied');
    }
    const receipts = await q.query(
      `SELECT user_id, read_at, delivered_at FROM receipt WHERE message_id = $1 ORDER BY user_id`,
      [messageId],
    );
    return {
      receipts: receipts.rows.map((r) => ({
        user_id: r.user_id,
        user: r.user_id, // the 1.7 key, read by the JS-1.7 SDK
        read_at: isoString(r.read_at),
        delivered_at: isoString(r.delivered_at),
      })),
    };
  });
}

/**
 * Record API: a user may save their own receipt (deterministic id, `user_id` = the caller, a message
 * of a conversation they are in). Timestamps already stored are put back; a newly set one is the
 * server's current time (client clocks are not trusted, and it keeps delivered_at <= read_at).
 */
export async function receiptBeforeSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<unknown> {
  const json = wireJSON(record);
  if (!json) throw invalidArgument('receipt record is malformed', ['record']);
  const stored = wireJSON(original);
  const caller = callerOf(options);
  const userId = eitherRef(json, 'user_id', 'user', 'user', 'the reading user');
  const messageId = eitherRef(json, 'message_id', 'message', 'message', 'a message');
  if (userId !== caller && !isMasterKey(options)) throw permissionDenied('a receipt can only be saved by its own user');
  if (stored && (eitherRef(stored, 'user_id', 'user', 'user', '') !== userId || eitherRef(stored, 'message_id', 'message', 'message', '') !== messageId)) {
    throw invalidArgument('a receipt\'s user_id and message_id cannot change', ['user_id', 'message_id']);
  }
  const expectedId = `receipt/${receiptId(messageId, userId)}`;
  if (json._id !== expectedId) {
    throw invalidArgument(`a receipt's id is derived from its message and user: expected "${expectedId}"`, ['_id'], { expected_id: expectedId });
  }
  // No conversation lock here: the server already holds this receipt's row (see MarkMode).
  const conversationId = await rt.beforeSave(options, async (q) => {
    const res = await q.query<{ conversation_id: string }>(`SELECT conversation_id FROM message WHERE _id = $1 AND NOT deleted`, [messageId]);
    if (res.rows.length === 0) throw notFound(`message "${messageId}" not found`);
    const cid = res.rows[0].conversation_id;
    const conversation = await loadConversation(q, cid, false);
    if (!conversation || !conversation.participant_ids.includes(userId)) {
      throw permissionDenied('user is not a participant of the message\'s conversation, permission denied');
    }
    return cid;
  });
  const now = { $type: 'date', $date: new Date().toISOString() };
  const storedRead = storedDate(stored, 'read_at');
  const storedDelivered = storedDate(stored, 'delivered_at');
  const wantsRead = json.read_at !== null && json.read_at !== undefined;
  const wantsDelivered = json.delivered_at !== null && json.delivered_at !== undefined;
  const readAt = storedRead ?? (wantsRead ? now : null);
  const deliveredAt = storedDelivered ?? (wantsDelivered || readAt ? now : null);
  return hookResult({
    ...json,
    user_id: refJSON('user', userId),
    user: refJSON('user', userId),
    message_id: refJSON('message', messageId),
    message: refJSON('message', messageId),
    _access: participantReadAcl(conversationId),
    read_at: readAt,
    delivered_at: deliveredAt,
  });
}

/**
 * A receipt's user or message under either name (chat-api.md §6: seed `user_id`/`message_id`, 1.x
 * `user`/`message`): one of them is required, both given must agree.
 */
function eitherRef(json: Record<string, unknown>, seed: string, sdk: string, type: string, what: string): string {
  const a = refId(json[seed], type);
  const b = refId(json[sdk], type);
  if (a === undefined || b === undefined || (a && b && a !== b) || (!a && !b)) {
    throw invalidArgument(`receipt.${seed} (or ${sdk}) must be a reference to ${what || `a ${type}`}`, [seed, sdk]);
  }
  return (a ?? b)!;
}

/** A date field of a stored record (`{$type:'date',$date}`), or null. */
function storedDate(stored: Record<string, unknown> | null, field: string) {
  const value = stored?.[field] as { $date?: unknown } | null | undefined;
  return dateJSON(value?.$date);
}

export async function receiptAfterSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<void> {
  const json = wireJSON(record);
  const stored = wireJSON(original);
  if (!json) return;
  const userId = refId(json.user_id, 'user') ?? refId(json.user, 'user');
  const messageId = refId(json.message_id, 'message') ?? refId(json.message, 'message');
  if (!userId || !messageId) return;
  const isSet = (r: Record<string, unknown> | null, key: string) => r !== null && r[key] !== null && r[key] !== undefined;
  const kind: MarkKind | null = isSet(json, 'read_at') && !isSet(stored, 'read_at') ? 'read' : isSet(json, 'delivered_at') && !isSet(stored, 'delivered_at') ? 'delivered' : null;
  if (!kind) return;
  const id = json._id.slice('receipt/'.length);
  await rt.afterSave(
    options,
    async (q) => (await q.query(`SELECT 1 FROM receipt WHERE _id = $1 AND ${kind}_at IS NOT NULL`, [id])).rows.length > 0,
    (q, outbox, save) => markMessages(rt, q, outbox, userId, [messageId], kind, save ? 'row-locked' : 'lambda'),
  );
}

export function receiptBeforeDelete(): never {
  throw notSupported('receipts cannot be deleted');
}
