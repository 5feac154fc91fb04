import { type Args, idList, optionalId, optionalInteger, optionalTimestamp, readArgs, requiredId } from './args';
import type { CloudCallOptions } from './cloud-api';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { loadConversation } from './membership';
import { MESSAGE_COLUMNS, messageJSON, messagesJSON, type RecordJSON } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf } from './caller';
import type { Queryable } from './sql';

const MAX_LIMIT = 1000;

const GET_MESSAGES_ARGS = ['conversation_id', 'limit', 'before_time', 'order', 'before_message_id', 'after_time', 'after_message_id'] as const;

/**
 * The two orders of chat:get_messages: by `seq` (the default; 1.x clients also send `_created_at`,
 * which is the same order) or by last change, `edited_at` (an unedited message's is its creation).
 * Time cursors compare against the order's time; message-id cursors always against `seq`.
 */
const ORDERS = {
  seq: { key: 'm.seq', time: 'm._created_at' },
  edited_at: { key: 'COALESCE(m.edited_at, m._created_at)', time: 'COALESCE(m.edited_at, m._created_at)' },
} as const;

function orderOf(args: Args): (typeof ORDERS)[keyof typeof ORDERS] {
  const value = args.order;
  if (value === undefined || value === null || value === '' || value === '_created_at' || value === 'created_at' || value === 'seq') return ORDERS.seq;
  if (value === 'edited_at') return ORDERS.edited_at;
  throw invalidArgument('order must be "edited_at" or "_created_at"', ['order']);
}

/**
 * chat:get_messages — `{results, deleted}`: `results` newest first (by the order's key), at most
 * `limit` (default 50, capped at 1000), no deleted message; `deleted` the deleted messages inside the
 * window the page covers — from its oldest message (or the "after" cursor, or the beginning when the
 * page is not full) up to the "before" cursor (or the end) — so a client that cached them can drop
 * them. Cursors: `before_time`/`after_time` or `before_message_id`/`after_message_id`, not both
 * kinds. With only an "after" cursor the page is the `limit` messages right after it (fixes C12),
 * still returned newest first. The positional order is 1.7's, which keeps old SDKs that pass
 * [id, limit, before_time, order] working.
 */
export async function getMessages(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const args: Args = readArgs(param, GET_MESSAGES_ARGS);
  const conversationId = requiredId(args, 'conversation_id', 'conversation');
  const limit = optionalInteger(args, 'limit', { fallback: 50, min: 1, cap: MAX_LIMIT });
  const order = orderOf(args);
  const beforeTime = optionalTimestamp(args, 'before_time');
  const afterTime = optionalTimestamp(args, 'after_time');
  const beforeId = optionalId(args, 'before_message_id', 'message');
  const afterId = optionalId(args, 'after_message_id', 'message');
  if ((beforeTime || afterTime) && (beforeId || afterId)) {
    throw invalidArgument('cannot use both message_id and time to filter', ['before_time', 'before_message_id']);
  }
  // Filters common to the page and the deleted window: the conversation, the caller a participant, the cursors.
  const filters = ['m.conversation_id = $1', 'c.participant_ids ? $2'];
  const params: unknown[] = [conversationId, userId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    filters.push(sql.replaceAll('?', `$${params.length}`));
  };
  const seqOf = '(SELECT cm.seq FROM message cm WHERE cm._id = ? AND cm.conversation_id = $1)';
  if (beforeTime) add(`${order.time} < (?::timestamptz AT TIME ZONE 'UTC')`, beforeTime);
  if (afterTime) add(`${order.time} > (?::timestamptz AT TIME ZONE 'UTC')`, afterTime);
  if (beforeId) add(`m.seq < ${seqOf}`, beforeId);
  if (afterId) add(`m.seq > ${seqOf}`, afterId);
  params.push(limit);
  const limitParam = `$${params.length}`;
  const forward = Boolean((afterTime || afterId) && !(beforeTime || beforeId));
  const where = filters.join(' AND ');
  const from = `message m JOIN conversation c ON c._id = m.conversation_id AND NOT c.deleted`;
  // One statement, no transaction: the page, then the deleted messages of its window. A full page
  // bounds the window at its far end (the oldest message; the newest one when paging forward).
  const res = await rt.pool.query(
    `WITH page AS (
       SELECT ${MESSAGE_COLUMNS}, ${order.key} AS _key FROM ${from}
        WHERE ${where} AND NOT m.deleted
        ORDER BY ${order.key} ${forward ? 'ASC' : 'DESC'}, m.seq ${forward ? 'ASC' : 'DESC'} LIMIT ${limitParam}),
     edge AS (SELECT count(*) AS n, min(_key) AS lo, max(_key) AS hi FROM page)
     SELECT false AS _gone, page.* FROM page
     UNION ALL
     SELECT true AS _gone, ${MESSAGE_COLUMNS}, ${order.key} AS _key FROM ${from}, edge
      WHERE ${where} AND m.deleted
        AND (edge.n < ${limitParam} OR ${order.key} ${forward ? '<= edge.hi' : '>= edge.lo'})
     ORDER BY _key DESC, seq DESC`,
    params,
  );
  const live = res.rows.filter((row) => row._gone !== true);
  const gone = res.rows.filter((row) => row._gone === true);
  if (res.rows.length === 0) await explainEmptyPage(rt.pool, conversationId, userId, { before_message_id: beforeId, after_message_id: afterId });
  return { results: await messagesJSON(live, rt.sign), deleted: await messagesJSON(gone, rt.sign) };
}

/** Throws the error an empty get_messages page stands for (110, 102, bad cursor), if any. */
async function explainEmptyPage(q: Queryable, conversationId: string, userId: string, cursors: Record<string, string | undefined>): Promise<void> {
  const conversation = await loadConversation(q, conversationId, false);
  if (!conversation || conversation.deleted) throw notFound(`conversation "${conversationId}" not found`);
  if (!conversation.participant_ids.includes(userId)) throw permissionDenied('user is not a participant of the conversation, permission denied');
  for (const [name, id] of Object.entries(cursors)) {
    if (!id) continue;
    const found = await q.query(`SELECT 1 FROM message WHERE _id = $1 AND conversation_id = $2`, [id, conversationId]);
    if (found.rows.length === 0) throw invalidArgument(`${name} is not a message of this conversation`, [name]);
  }
}

/** chat:get_messages_by_ids — the listed messages of conversations the caller is in; others are dropped. */
export async function getMessagesByIds(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const userId = callerOf(options);
  const ids = idList(readArgs(param, ['message_ids']), 'message_ids', 'message', { single: true, max: rt.bounds.maxIdsPerCall });
  return rt.lambda(async (q) => {
    const res = await q.query(
      `SELECT ${MESSAGE_COLUMNS} FROM message m JOIN conversation c ON c._id = m.conversation_id
        WHERE m._id = ANY($1::text[]) AND NOT m.deleted AND c.participant_ids ? $2
        ORDER BY m.seq DESC`,
      [ids, userId],
    );
    return { results: await messagesJSON(res.rows, rt.sign) };
  });
}

/** The newest message of each conversation, as record JSON (for conversation listings). */
export async function lastMessages(rt: ChatRuntime, q: Queryable, messageIds: string[]): Promise<Map<string, RecordJSON>> {
  if (messageIds.length === 0) return new Map();
  const res = await q.query(`SELECT ${MESSAGE_COLUMNS} FROM message m WHERE m._id = ANY($1::text[])`, [messageIds]);
  const out = new Map<string, RecordJSON>();
  for (const row of res.rows) out.set(String(row._id), await messageJSON(row, rt.sign));
  return out;
}
