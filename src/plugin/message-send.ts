import { HostTables } from '../protocol/host-tables';
import type { CloudCallOptions, RecordSave } from './cloud-api';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { refreshLastMessage } from './last-message';
import { type ConversationRow, loadConversation, participantReadAcl } from './membership';
import { attachmentName, bothGenerations, checkContent, conversationOfMessage } from './message-fields';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, conversationJSON, hookResult, keyOf, messageJSON, type RecordJSON, refId } from './records';
import { channelsOfSQL, type Outbox, parseChannels } from './realtime';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf, isMasterKey } from './caller';
import { type Queryable, toDate, toNumber } from './sql';
import { publishMessageUpdates, recomputeStatusOfConversation } from './status';
import { countNewMessageSQL, recountUnread } from './unread';

/**
 * Sending: an ordinary record save of a new message (public or private database) with
 * `conversation_id` (seed) or `conversation` (1.x SDK). The hooks validate it and keep last_message
 * (I2), unread counts (I3) and status (I4) exact.
 *
 * Order: `seq` (bigserial). In the host, the before-save hook locks the conversation row inside the
 * save's transaction before the server inserts the message, so within a conversation seq order is
 * commit order and the new message is always the newest one.
 */
export async function beforeSend(rt: ChatRuntime, json: RecordJSON, options: CloudCallOptions): Promise<RecordJSON> {
  const sender = callerOf(options);
  const conversationId = conversationOfMessage(json);
  checkContent(json, rt.bounds);
  if (json.seq !== undefined && json.seq !== null) throw invalidArgument('message.seq is assigned by the server', ['seq']);
  if (json.deleted === true) throw invalidArgument('a new message cannot be deleted', ['deleted']);
  const attachment = attachmentName(json);
  await rt.beforeSave(options, async (q, save) => {
    if (attachment && (await q.query(`SELECT 1 FROM ${HostTables.asset} WHERE id = $1`, [attachment])).rows.length === 0) {
      throw invalidArgument('message.attachment refers to an unknown asset (upload it first)', ['attachment']);
    }
    if (save) await takeSendTurn(rt, q, save, conversationId);
    // Locked only in the record's save; an own connection must take no row locks.
    const conversation = await loadConversation(q, conversationId, save !== null);
    if (!conversation || conversation.deleted) throw notFound(`conversation "${conversationId}" not found`);
    if (!conversation.participant_ids.includes(sender) && !isMasterKey(options)) {
      throw permissionDenied('user is not a participant of the conversation, permission denied');
    }
    save?.carried.set(LOCKED_CONVERSATION, conversation);
  });
  return hookResult({
    ...json,
    ...bothGenerations(conversationId, 'delivered'),
    deleted: false,
    revision: 1,
    edited_at: null,
    edited_by: null,
    _access: participantReadAcl(conversationId),
  });
}

/**
 * In the record's save, before locking the conversation row: wait for this node's turn to send into
 * the conversation, held until the save's transaction ends (see conversation-turns.ts).
 *
 * A send that has to wait first ends its last statement with a parameterless one. A statement sent
 * with parameters (the extended protocol) keeps its snapshot inside a transaction until the next
 * statement, so every waiting send held PostgreSQL's xmin horizon back: the versions that each
 * send's `unread_count + 1` leaves behind in the hot conversation's user_conversation rows could
 * not be pruned, and that one statement took 10 ms instead of 2 with 15 sends waiting.
 */
async function takeSendTurn(rt: ChatRuntime, q: Queryable, save: RecordSave, conversationId: string): Promise<void> {
  if (rt.turns.isTaken(conversationId)) await q.query('SELECT 1');
  const release = await rt.turns.take(conversationId);
  save.afterTransaction(release);
}

/** A new message: last_message, +1 unread for the other members, `create` to every participant. */
export async function afterSend(rt: ChatRuntime, json: RecordJSON, options: CloudCallOptions): Promise<void> {
  const messageId = keyOf(json);
  const conversationId = refId(json.conversation_id, 'conversation');
  if (!conversationId) return;
  await rt.afterSave(
    options,
    async (q) => (await q.query(`SELECT 1 FROM message WHERE _id = $1`, [messageId])).rows.length > 0,
    (q, outbox, save) =>
      save
        ? applyNewMessage(rt, q, outbox, messageId, json, lockedConversationOf(save, conversationId))
        : reconcileConversation(rt, q, outbox, conversationId, messageId),
  );
}

/**
 * In the record's save, before-save and after-save of one message run in the same transaction, and
 * the before-save locked the conversation row (FOR NO KEY UPDATE): nobody else can change it until
 * COMMIT, and in between only the message INSERT runs. So the row before-save read is still the
 * current one in after-save and need not be read again: before-save leaves it in `save.carried`.
 */
const LOCKED_CONVERSATION = 'chat:locked-conversation';

function lockedConversationOf(save: RecordSave, conversationId: string): ConversationRow | null {
  const conversation = save.carried.get(LOCKED_CONVERSATION) as ConversationRow | undefined;
  return conversation && conversation._id === conversationId ? conversation : null;
}

export async function loadMessageRow(q: Queryable, messageId: string): Promise<Record<string, unknown> | undefined> {
  const res = await q.query(`SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m._id = $1`, [messageId]);
  return res.rows[0];
}

/**
 * In the record's save, holding the conversation lock. `saved` is the record the store read back
 * after the INSERT (it has `seq`); `locked` the conversation row before-save locked.
 */
async function applyNewMessage(
  rt: ChatRuntime,
  q: Queryable,
  outbox: Outbox,
  messageId: string,
  saved: RecordJSON,
  locked: ConversationRow | null,
): Promise<void> {
  let row: Record<string, unknown> | undefined = savedMessageRow(saved);
  if (!row) row = await loadMessageRow(q, messageId);
  if (!row) return;
  const conversationId = String(row.conversation_id);
  const conversation = locked ?? (await loadConversation(q, conversationId, true));
  if (!conversation) return;
  const seq = toNumber(row.seq);
  const senderId = String(row._owner_id);
  // One statement for last_message (I2), the other members' unread counts (I3) and the recipients'
  // channels: the conversation and user_conversation row locks are held until COMMIT, so every round
  // trip saved here shortens the time other senders into this conversation wait.
  const res = await q.query(
    `WITH moved AS (
       UPDATE conversation c SET last_message = $2, last_message_at = $3
        WHERE c._id = $1 AND (c.last_message IS NULL OR COALESCE((SELECT seq FROM message WHERE _id = c.last_message), 0) < $4)
        RETURNING ${CONVERSATION_COLUMNS}),
     counted AS (${countNewMessageSQL('$1', '$5', '$4')}),
     channels AS (${channelsOfSQL('$6')})
     SELECT (SELECT COALESCE(json_agg(json_build_object('owner', owner, 'name', name)), '[]'::json) FROM channels) AS _channels, moved.*
       FROM (SELECT 1) AS one LEFT JOIN moved ON true`,
    [conversationId, messageId, toDate(row._created_at)?.toISOString() ?? null, seq, senderId, conversation.participant_ids],
  );
  const { _channels: channels, ...moved } = res.rows[0] ?? {};
  outbox.useChannels(conversation.participant_ids, parseChannels(channels));
  // The attachment's content type and signed URL need the _asset row: read the message back then.
  const full = row.attachment ? await loadMessageRow(q, messageId) : row;
  if (!full) return;
  await announceMessage(rt, outbox, full, conversation, conversationJSON(moved._id ? moved : conversation));
}

/**
 * The saved record (wire JSON) as the message row messageJSON renders, or undefined when it lacks
 * what the row would carry (`seq`, owner, creation time): then the caller reads the row.
 */
function savedMessageRow(saved: RecordJSON): Record<string, unknown> | undefined {
  const conversationId = refId(saved.conversation_id, 'conversation');
  if (typeof saved.seq !== 'number' || typeof saved._ownerID !== 'string' || !saved._created_at || !conversationId) return undefined;
  return {
    _id: keyOf(saved),
    _owner_id: saved._ownerID,
    // before-save always sets this ACL; the DB row holds exactly it.
    _access: participantReadAcl(conversationId),
    _created_at: saved._created_at,
    _created_by: saved._created_by,
    _updated_at: saved._updated_at,
    _updated_by: saved._updated_by,
    body: saved.body ?? null,
    conversation_status: saved.conversation_status ?? null,
    attachment: attachmentName(saved) ?? null,
    metadata: saved.metadata ?? null,
    conversation_id: conversationId,
    seq: saved.seq,
    deleted: saved.deleted ?? null,
    revision: saved.revision ?? 1,
  };
}

/**
 * Out of process (after the host committed): recompute everything derived from the conversation's
 * messages exactly, which is correct whatever order deferred work runs in.
 */
async function reconcileConversation(rt: ChatRuntime, q: Queryable, outbox: Outbox, conversationId: string, messageId: string): Promise<void> {
  const conversation = await loadConversation(q, conversationId, true);
  if (!conversation) return;
  await refreshLastMessage(q, conversationId);
  await recountUnread(q, [conversationId], null);
  const changed = await recomputeStatusOfConversation(q, conversationId);
  await publishMessageUpdates(rt, q, outbox, changed.filter((id) => id !== messageId));
  const row = await loadMessageRow(q, messageId);
  if (!row) return;
  const fresh = await q.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversation c WHERE c._id = $1`, [conversationId]);
  await announceMessage(rt, outbox, row, conversation, conversationJSON(fresh.rows[0] ?? conversation));
}

/** `create` of the message to every participant; `conversation` is the record after last_message moved. */
async function announceMessage(
  rt: ChatRuntime,
  outbox: Outbox,
  row: Record<string, unknown>,
  before: ConversationRow,
  conversation: RecordJSON,
): Promise<void> {
  const message = await messageJSON(row, rt.sign);
  outbox.publishRecord(before.participant_ids, 'create', 'message', message);
  outbox.hook({ hook: 'after_message_sent', message, conversation, participantIds: [...before.participant_ids], actorId: String(row._owner_id) });
}
