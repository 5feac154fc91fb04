import { MESSAGE_COLUMNS, messageJSON } from './records';
import type { Outbox } from './realtime';
import type { ChatRuntime } from './runtime/chat-runtime';
import { NOW_UTC, type Queryable } from './sql';

/**
 * I4 message status, recomputed set-based in SQL.
 *
 * A message's audience is the OTHER current participants who were members when it was sent
 * (`joined_seq < seq`; the sender never counts, fixing B7). None of them has read it → delivered;
 * some → some_read; all → all_read. With an empty audience it stays delivered. Because the audience
 * depends on membership, removing participants recomputes the whole conversation.
 */
const STATUS_SQL = (filter: string) => `
  UPDATE message m SET conversation_status = s.status, message_status = s.status, _updated_at = ${NOW_UTC}
    FROM (
      SELECT m2._id,
             CASE WHEN count(r._id) = 0 THEN 'delivered'
                  WHEN count(r._id) < count(uc._id) THEN 'some_read'
                  ELSE 'all_read' END AS status
        FROM message m2
        LEFT JOIN user_conversation uc
               ON uc.conversation = m2.conversation_id AND uc."user" <> m2._owner_id AND uc.joined_seq < m2.seq
        LEFT JOIN receipt r ON r.message_id = m2._id AND r.user_id = uc."user" AND r.read_at IS NOT NULL
       WHERE ${filter}
       GROUP BY m2._id
    ) s
   WHERE m._id = s._id AND (m.conversation_status IS DISTINCT FROM s.status OR m.message_status IS DISTINCT FROM s.status)
  RETURNING m._id`;

/**
 * Every status writer locks the message rows (ascending _id) BEFORE reading receipts: under READ
 * COMMITTED the statement that computes the status then sees every receipt committed by the writer
 * that held the lock before it. Without it, an UPDATE that waited for another writer's row lock
 * would re-check the row but keep its old snapshot of the receipts, and write a stale status.
 */
export async function lockMessages(q: Queryable, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await q.query(`SELECT _id FROM message WHERE _id = ANY($1::text[]) ORDER BY _id FOR NO KEY UPDATE`, [[...messageIds]]);
}

export async function lockMessagesOfConversation(q: Queryable, conversationId: string): Promise<void> {
  await q.query(`SELECT _id FROM message WHERE conversation_id = $1 ORDER BY _id FOR NO KEY UPDATE`, [conversationId]);
}

/** Call after lockMessages(messageIds). */
export async function recomputeStatusOfMessages(q: Queryable, messageIds: readonly string[]): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const res = await q.query<{ _id: string }>(STATUS_SQL('m2._id = ANY($1::text[])'), [[...messageIds]]);
  return res.rows.map((r) => r._id);
}

/** Call with the conversation locked; takes the message locks itself. */
export async function recomputeStatusOfConversation(q: Queryable, conversationId: string): Promise<string[]> {
  await lockMessagesOfConversation(q, conversationId);
  // Deleted messages too: their status must stay true to the audience (I4 holds for every message),
  // though nobody is told about their changes (publishMessageUpdates skips them).
  const res = await q.query<{ _id: string }>(STATUS_SQL('m2.conversation_id = $1'), [conversationId]);
  return res.rows.map((r) => r._id);
}

/**
 * Publishes `update` for messages whose status changed, to the participants of each one's
 * conversation (one query for the messages, one for the members). A deleted message was announced
 * as deleted; it gets no more events.
 */
export async function publishMessageUpdates(rt: ChatRuntime, q: Queryable, outbox: Outbox, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  const res = await q.query(
    `SELECT ${MESSAGE_COLUMNS}, c.participant_ids AS audience
       FROM message m JOIN conversation c ON c._id = m.conversation_id
      WHERE m._id = ANY($1::text[]) AND NOT m.deleted ORDER BY m.seq`,
    [[...messageIds]],
  );
  for (const row of res.rows) {
    const audience = Array.isArray(row.audience) ? (row.audience as string[]) : [];
    outbox.publishRecord(audience, 'update', 'message', await messageJSON(row, rt.sign));
  }
}
