import type { Queryable } from './sql';

/**
 * I2: last_message = the newest non-deleted message (by seq), or null. Returns whether it moved.
 * Call with the conversation locked.
 */
export async function refreshLastMessage(q: Queryable, conversationId: string): Promise<boolean> {
  const res = await q.query(
    `UPDATE conversation c SET last_message = n._id, last_message_at = n._created_at
       FROM (SELECT (SELECT m._id FROM message m WHERE m.conversation_id = $1 AND NOT m.deleted ORDER BY m.seq DESC LIMIT 1) AS _id) t
       LEFT JOIN message n ON n._id = t._id
      WHERE c._id = $1 AND c.last_message IS DISTINCT FROM n._id`,
    [conversationId],
  );
  return (res.rowCount ?? 0) > 0;
}
