import { readArgs, requiredId } from './args';
import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { refreshLastMessage } from './last-message';
import { lockForParticipant } from './membership';
import { MESSAGE_COLUMNS, USER_CONVERSATION_COLUMNS, conversationJSON, messageJSON, userConversationJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf } from './caller';
import { NOW_UTC } from './sql';
import { storedConversationJSON } from './conversation-view';

/**
 * chat:delete_message(message_id) — by the author or an admin of the conversation (1.7: any member).
 * A soft delete in one transaction: `deleted` = true and body, metadata and attachment cleared in the
 * message and in its history; then
 * - I2: last_message moves to the newest message still there (conversation `update` if it moved);
 * - I3: everyone who counted it as unread (not its author, joined before it, read marker before it)
 *   counts one less, and gets their user_conversation as an `update` (chat-api.md §4);
 * - realtime: `delete` with the stripped record to the participants; after_message_deleted fires.
 * Returns the stripped record (the 1.x SDK wraps the result itself as a Message). Twice → 108.
 *
 * Locks: the conversation first, then the message row — the plugin's global order. The counts are
 * exact: every +1 of a send happens under the same conversation lock, and a reader's recount holds
 * their own user_conversation row, which this statement waits for and re-checks.
 */
export async function deleteMessage(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const messageId = requiredId(readArgs(param, ['message_id']), 'message_id', 'message');
  return rt.lambda(async (q, outbox) => {
    const found = await q.query<{ conversation_id: string }>(`SELECT conversation_id FROM message WHERE _id = $1`, [messageId]);
    if (found.rows.length === 0) throw notFound(`message "${messageId}" not found`);
    const conversationId = found.rows[0].conversation_id;
    const conversation = await lockForParticipant(q, conversationId, caller);
    const current = await q.query<{ _owner_id: string; deleted: boolean; seq: unknown }>(
      `SELECT _owner_id, deleted, seq FROM message WHERE _id = $1 FOR NO KEY UPDATE`,
      [messageId],
    );
    const message = current.rows[0];
    if (message.deleted) throw invalidArgument('the message is already deleted', ['message_id']);
    if (message._owner_id !== caller && !conversation.admin_ids.includes(caller)) {
      throw permissionDenied('only the author of a message or an admin of its conversation can delete it');
    }
    const deleted = await q.query(
      `UPDATE message m SET deleted = true, body = NULL, metadata = NULL, attachment = NULL, _updated_at = ${NOW_UTC}, _updated_by = $2
        WHERE m._id = $1 RETURNING ${MESSAGE_COLUMNS}`,
      [messageId, caller],
    );
    await q.query(`UPDATE message_history SET body = NULL, metadata = NULL, attachment = NULL WHERE parent = $1`, [messageId]);
    const uncounted = await q.query(
      `UPDATE user_conversation uc SET unread_count = uc.unread_count - 1
        WHERE uc.conversation = $1 AND uc."user" <> $2 AND uc.joined_seq < $3
          AND COALESCE((SELECT lr.seq FROM message lr WHERE lr._id = uc.last_read_message), 0) < $3
        RETURNING ${USER_CONVERSATION_COLUMNS}`,
      [conversationId, message._owner_id, message.seq],
    );
    for (const row of uncounted.rows) outbox.publishRecord([String(row.user)], 'update', 'user_conversation', userConversationJSON(row));
    const participants = conversation.participant_ids;
    if (conversation.last_message === messageId && (await refreshLastMessage(q, conversationId))) {
      const fresh = await storedConversationJSON(q, conversationId);
      if (fresh) outbox.publishRecord(participants, 'update', 'conversation', fresh);
    }
    const json = await messageJSON(deleted.rows[0], rt.sign);
    outbox.publishRecord(participants, 'delete', 'message', json);
    outbox.hook({ hook: 'after_message_deleted', message: json, conversation: conversationJSON(conversation), participantIds: [...participants], actorId: caller });
    return json;
  });
}
