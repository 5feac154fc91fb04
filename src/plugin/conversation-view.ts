import { lastMessages } from './message-read';
import type { ConversationRow } from './membership';
import { CONVERSATION_COLUMNS, conversationJSON, type RecordJSON, refJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { type Queryable, toNumber } from './sql';

/**
 * A conversation as one participant sees it in lambda results: the stored record plus their
 * `unread_count` and `last_read_message` (ref), and — as 1.7 did — `last_message` replaced by the
 * message record itself (or null), with the ref kept as `last_message_ref`.
 */
export async function conversationViews(
  rt: ChatRuntime,
  q: Queryable,
  conversations: ConversationRow[],
  userId: string,
  includeLastMessage: boolean,
): Promise<RecordJSON[]> {
  if (conversations.length === 0) return [];
  const ids = conversations.map((c) => c._id);
  const rows = await q.query<{ conversation: string; unread_count: unknown; last_read_message: string | null }>(
    `SELECT conversation, unread_count, last_read_message FROM user_conversation WHERE "user" = $1 AND conversation = ANY($2::text[])`,
    [userId, ids],
  );
  const mine = new Map(rows.rows.map((r) => [r.conversation, r]));
  const lastIds = conversations.map((c) => c.last_message).filter((m): m is string => typeof m === 'string');
  const messages = includeLastMessage ? await lastMessages(rt, q, lastIds) : new Map<string, RecordJSON>();
  return conversations.map((c) => {
    const json = conversationJSON(c);
    const uc = mine.get(c._id);
    const lastRef = c.last_message ? refJSON('message', c.last_message) : null;
    return {
      ...json,
      unread_count: uc ? toNumber(uc.unread_count) : 0,
      last_read_message: uc?.last_read_message ? refJSON('message', uc.last_read_message) : null,
      last_read_message_ref: uc?.last_read_message ? refJSON('message', uc.last_read_message) : null,
      last_message: (c.last_message && messages.get(c.last_message)) || null,
      last_message_ref: lastRef,
    };
  });
}

export async function conversationView(rt: ChatRuntime, q: Queryable, conversation: ConversationRow, userId: string): Promise<RecordJSON> {
  const [view] = await conversationViews(rt, q, [conversation], userId, true);
  return view;
}

/** The stored record only (what realtime events and chat hooks carry). */
export async function storedConversationJSON(q: Queryable, id: string): Promise<RecordJSON | null> {
  const res = await q.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversation c WHERE c._id = $1`, [id]);
  return res.rows[0] ? conversationJSON(res.rows[0]) : null;
}
