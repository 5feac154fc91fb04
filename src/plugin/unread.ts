import { type Queryable, toNumber } from './sql';

/**
 * I3 unread counts. unread_count of (user, conversation) = messages of the conversation, not deleted,
 * not sent by the user, newer (by seq) than both the user's read marker and their join point.
 *
 * Sending adds 1 to every OTHER member's count in one statement (exact, because the sender holds the
 * conversation lock, so the new message is the newest). Reading recounts exactly in one statement.
 * No count is ever read into JS and written back.
 */
const UNREAD_OF_ROW = `(
  SELECT count(*) FROM message m
   WHERE m.conversation_id = uc.conversation AND NOT m.deleted AND m._owner_id <> uc."user"
     AND m.seq > GREATEST(uc.joined_seq, COALESCE((SELECT lr.seq FROM message lr WHERE lr._id = uc.last_read_message), 0)))`;

/** Exact recount for one user's rows in `conversationIds`, or for every member when `userId` is null. */
export async function recountUnread(q: Queryable, conversationIds: readonly string[], userId: string | null): Promise<void> {
  if (conversationIds.length === 0) return;
  await q.query(
    `UPDATE user_conversation uc SET unread_count = ${UNREAD_OF_ROW}
      WHERE uc.conversation = ANY($1::text[]) AND ($2::text IS NULL OR uc."user" = $2::text)
        AND uc.unread_count IS DISTINCT FROM ${UNREAD_OF_ROW}`,
    [[...conversationIds], userId],
  );
}

/**
 * A new message (the conversation's newest) raises every other member's count by one. The statement
 * takes SQL placeholders for the conversation, the sender and the message's seq, so the send path can
 * run it as a CTE of its one after-save statement.
 */
export function countNewMessageSQL(conversation: string, sender: string, seq: string): string {
  return `UPDATE user_conversation SET unread_count = unread_count + 1
           WHERE conversation = ${conversation} AND "user" <> ${sender} AND joined_seq < ${seq}`;
}

/**
 * Moves the user's read marker in each conversation to the newest of `messageIds` there, never
 * backwards. Returns the conversations whose marker moved.
 */
export async function advanceReadMarkers(q: Queryable, userId: string, messageIds: readonly string[]): Promise<string[]> {
  if (messageIds.length === 0) return [];
  const res = await q.query<{ conversation: string }>(
    `UPDATE user_conversation uc SET last_read_message = t.mid, _updated_at = (now() AT TIME ZONE 'UTC'), _updated_by = $1
       FROM (SELECT DISTINCT ON (m.conversation_id) m.conversation_id, m._id AS mid, m.seq
               FROM message m WHERE m._id = ANY($2::text[]) ORDER BY m.conversation_id, m.seq DESC) t
      WHERE uc."user" = $1 AND uc.conversation = t.conversation_id
        AND (uc.last_read_message IS NULL
             OR COALESCE((SELECT lr.seq FROM message lr WHERE lr._id = uc.last_read_message), 0) < t.seq)
      RETURNING uc.conversation`,
    [userId, [...messageIds]],
  );
  return res.rows.map((r) => r.conversation);
}

export interface TotalUnread {
  conversation: number;
  message: number;
}

/**
 * `chat:total_unread` and the helper apps use (e.g. push badges): conversations with unread messages,
 * and the number of unread messages. 0, never null (fixes B8).
 */
export async function totalUnread(pool: Queryable, userId: string): Promise<TotalUnread> {
  const res = await pool.query(
    `SELECT count(*) FILTER (WHERE unread_count > 0) AS conversation, COALESCE(sum(unread_count), 0) AS message
       FROM user_conversation WHERE "user" = $1`,
    [userId],
  );
  return { conversation: toNumber(res.rows[0]?.conversation), message: toNumber(res.rows[0]?.message) };
}
