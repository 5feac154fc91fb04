import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notSupported, permissionDenied } from './errors';
import { markMessages } from './receipt';
import { hookResult, keyOf, refId, refJSON, wireJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf, isMasterKey } from './caller';
import { type Queryable, toNumber } from './sql';

/**
 * user_conversation through the record API. Rows are created and deleted by the plugin only (111).
 * The owner may move their read marker by saving `last_read_message` — the same effect as
 * chat:mark_as_read of that message (receipt, marker never backwards, exact recount, status).
 * Nobody may write another user's row (102), or change `user`/`conversation` (108). `unread_count`
 * and `joined_seq` are the plugin's: a save that changes only them is refused (108); a save that
 * moves the marker ignores them (clients re-save the whole fetched record, whose count may be stale).
 */
export async function userConversationBeforeSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<unknown> {
  const json = wireJSON(record);
  const stored = wireJSON(original);
  if (!json) throw invalidArgument('user_conversation record is malformed', ['record']);
  const caller = callerOf(options);
  if (!stored) {
    // Typically a client re-saving its row after being removed from the conversation (the row is
    // gone): that is "not a participant" (102). Anything else is an attempt to create a row (111).
    const cid = refId(json.conversation, 'conversation');
    if (cid && !(await rt.beforeSave(options, (q) => isParticipant(q, cid, caller)))) throw permissionDenied('user is not a participant of the conversation, permission denied');
    throw notSupported('user_conversation records are created by the chat plugin (join a conversation instead)');
  }
  const owner = refId(stored.user, 'user');
  const conversationId = refId(stored.conversation, 'conversation');
  if (owner !== caller && !isMasterKey(options)) throw permissionDenied('cannot write another user\'s user_conversation');
  if (refId(json.user, 'user') !== owner) throw invalidArgument('user_conversation.user cannot change', ['user']);
  if (refId(json.conversation, 'conversation') !== conversationId) throw invalidArgument('user_conversation.conversation cannot change', ['conversation']);
  const sentMarker = refId(json.last_read_message, 'message');
  if (sentMarker === undefined) throw invalidArgument('last_read_message must be a reference to a message', ['last_read_message']);
  const storedMarker = refId(stored.last_read_message, 'message') ?? null;
  const moves = sentMarker !== null && sentMarker !== storedMarker;
  const differs = (field: string) => json[field] !== undefined && toNumber(json[field]) !== toNumber(stored[field]);
  if (!moves && (differs('unread_count') || differs('joined_seq'))) {
    throw invalidArgument('unread_count is maintained by the chat plugin', differs('unread_count') ? ['unread_count'] : ['joined_seq']);
  }
  const id = keyOf(json);
  // No conversation lock: the server locked this row before calling us (see receipt.ts MarkMode),
  // so the row read here is current and no unread +1 can interleave until we commit.
  return rt.beforeSave(options, async (q) => {
    const currentRes = await q.query(
      `SELECT uc.unread_count, uc.joined_seq, uc.last_read_message, (SELECT seq FROM message WHERE _id = uc.last_read_message) AS marker_seq
         FROM user_conversation uc WHERE uc._id = $1`,
      [id],
    );
    const current = currentRes.rows[0];
    if (!current) throw notSupported('user_conversation records are created by the chat plugin');
    let marker: string | null = (current.last_read_message as string | null) ?? null;
    let unread = toNumber(current.unread_count);
    if (moves) {
      const msg = await q.query(`SELECT seq FROM message WHERE _id = $1 AND conversation_id = $2 AND NOT deleted`, [sentMarker, conversationId]);
      if (msg.rows.length === 0) throw invalidArgument('last_read_message must be a message of this conversation', ['last_read_message']);
      // Never backwards: an older message keeps the newer marker.
      if (marker === null || toNumber(msg.rows[0].seq) > toNumber(current.marker_seq)) {
        marker = sentMarker;
        // The saved record (and the client's copy of it) carries the exact count for the new marker.
        unread = await countUnreadAfter(q, conversationId!, owner!, Math.max(toNumber(msg.rows[0].seq), toNumber(current.joined_seq)));
      }
    }
    return hookResult({
      ...json,
      unread_count: unread,
      joined_seq: toNumber(current.joined_seq),
      last_read_message: marker ? refJSON('message', marker) : null,
      _access: stored._access ?? [],
    });
  });
}

async function isParticipant(q: Queryable, conversationId: string, userId: string): Promise<boolean> {
  const res = await q.query(`SELECT 1 FROM conversation WHERE _id = $1 AND participant_ids ? $2`, [conversationId, userId]);
  return res.rows.length > 0;
}

async function countUnreadAfter(q: Queryable, conversationId: string, userId: string, seq: number): Promise<number> {
  const res = await q.query(
    `SELECT count(*) AS n FROM message WHERE conversation_id = $1 AND NOT deleted AND _owner_id <> $2 AND seq > $3`,
    [conversationId, userId, seq],
  );
  return toNumber(res.rows[0]?.n);
}

export async function userConversationAfterSave(rt: ChatRuntime, record: unknown, original: unknown, options: CloudCallOptions): Promise<void> {
  const json = wireJSON(record);
  const stored = wireJSON(original);
  if (!json || !stored) return;
  const marker = refId(json.last_read_message, 'message');
  const userId = refId(json.user, 'user');
  if (!marker || !userId || marker === refId(stored.last_read_message, 'message')) return;
  const id = keyOf(json);
  await rt.afterSave(
    options,
    async (q) => (await q.query(`SELECT 1 FROM user_conversation WHERE _id = $1 AND last_read_message = $2`, [id, marker])).rows.length > 0,
    (q, outbox, save) => markMessages(rt, q, outbox, userId, [marker], 'read', save ? 'row-locked' : 'lambda'),
  );
}

export function userConversationBeforeDelete(): never {
  throw notSupported('user_conversation records are deleted by the chat plugin (leave the conversation instead)');
}
