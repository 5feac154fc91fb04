import { randomUUID } from 'node:crypto';
import { type Args, idList, optionalBoolean, optionalInteger, optionalObject, optionalString, readArgs, requiredId } from './args';
import { checkMetadata, checkTitle } from './bounds';
import type { CloudCallOptions } from './cloud-api';
import { applyConversationChange } from './conversation-change';
import { conversationView, conversationViews, storedConversationJSON } from './conversation-view';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { distinctKey } from './ids';
import { type ConversationRow, assertUsersExist, conversationAcl, loadConversation, lockForAdmin, lockForParticipant } from './membership';
import { CONVERSATION_COLUMNS } from './records';
import type { ChatRuntime } from './runtime/chat-runtime';
import { callerOf } from './caller';
import { NOW_UTC, type Queryable } from './sql';

/**
 * Conversation lambdas (chat-api.md §2). Each runs in one transaction: lock the conversation, change
 * its lists, then `applyConversationChange` brings rows, roles, statuses and events in line.
 * Adding or removing participants (leaving included) makes a conversation non-distinct (fixes C3).
 */

/** Serialises creators of the same distinct participant set (the unique index is the final guard). */
export async function lockDistinctKey(q: Queryable, key: string): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`chat-distinct:${key}`]);
}

export async function existingDistinct(q: Queryable, key: string): Promise<string | null> {
  const res = await q.query<{ _id: string }>(`SELECT _id FROM conversation WHERE distinct_key = $1`, [key]);
  return res.rows[0]?._id ?? null;
}

export const duplicateDistinct = (conversationId: string) =>
  invalidArgument('Conversation with the participants already exists', ['participants'], { conversation_id: conversationId });

async function writeLists(
  q: Queryable,
  conversation: ConversationRow,
  lists: MemberLists,
  actor: string,
  membershipChanged: boolean,
): Promise<void> {
  await q.query(
    `UPDATE conversation SET participant_ids = $2::jsonb, admin_ids = $3::jsonb, participant_count = $4,
            distinct_by_participants = CASE WHEN $5::boolean THEN false ELSE distinct_by_participants END,
            distinct_key = CASE WHEN $5::boolean THEN NULL ELSE distinct_key END,
            _updated_at = ${NOW_UTC}, _updated_by = $6
      WHERE _id = $1`,
    [conversation._id, JSON.stringify(lists.participants), JSON.stringify(lists.admins), lists.participants.length, membershipChanged, actor],
  );
}

/** Rewrites the lists, applies the change, and returns the caller's view (or null if they are gone). */
async function changeLists(
  rt: ChatRuntime,
  q: Queryable,
  outbox: Parameters<typeof applyConversationChange>[2],
  conversation: ConversationRow,
  lists: MemberLists,
  actor: string,
) {
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  const membershipChanged = !same(lists.participants, conversation.participant_ids);
  if (membershipChanged || !same(lists.admins, conversation.admin_ids)) {
    await writeLists(q, conversation, lists, actor, membershipChanged);
    await applyConversationChange(rt, q, outbox, conversation._id, { before: conversation, actorId: actor });
  }
  const fresh = await loadConversation(q, conversation._id, false);
  return fresh && fresh.participant_ids.includes(actor) ? conversationView(rt, q, fresh, actor) : null;
}

const CREATE_ARGS = ['participants', 'title', 'metadata', 'options'] as const;

/** chat:create_conversation — the caller becomes participant and admin. */
export async function createConversation(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const args: Args = readArgs(param, CREATE_ARGS);
  if (args.metadata === undefined && args.meta !== undefined) args.metadata = args.meta; // 1.7 keyword
  const requested = idList(args, 'participants', 'user');
  const title = optionalString(args, 'title') ?? null;
  checkTitle(title, rt.bounds);
  const metadata = optionalObject(args, 'metadata') ?? {};
  checkMetadata(metadata, rt.bounds);
  const opts: Args = optionalObject(args, 'options') ?? {};
  if (opts.distinctByParticipants === undefined) opts.distinctByParticipants = opts.distinct_by_participants;
  if (opts.adminIDs === undefined) opts.adminIDs = opts.admin_ids ?? opts.admins;
  const distinct = optionalBoolean(opts, 'distinctByParticipants', false);
  const extraAdmins = idList(opts, 'adminIDs', 'user', { required: false });
  const admins = [...new Set([caller, ...extraAdmins])];
  const participants = [...new Set([caller, ...requested, ...admins])];
  const key = distinct ? distinctKey(participants) : null;
  const id = randomUUID();

  return rt.lambda(async (q, outbox) => {
    await assertUsersExist(q, participants, 'participants');
    if (key) {
      await lockDistinctKey(q, key);
      const existing = await existingDistinct(q, key);
      if (existing) throw duplicateDistinct(existing);
    }
    const inserted = await q.query(
      `INSERT INTO conversation (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                                 title, admin_ids, participant_ids, participant_count, distinct_by_participants, metadata,
                                 distinct_key, deleted)
       VALUES ($1, '', $2, $3::jsonb, ${NOW_UTC}, $2, ${NOW_UTC}, $2, $4, $5::jsonb, $6::jsonb, $7, $8, $9::jsonb, $10, false)
       ON CONFLICT (distinct_key) WHERE distinct_key IS NOT NULL DO NOTHING
       RETURNING _id`,
      [id, caller, JSON.stringify(conversationAcl(id)), title, JSON.stringify(admins), JSON.stringify(participants),
        participants.length, distinct, JSON.stringify(metadata), key],
    );
    if (inserted.rows.length === 0) throw duplicateDistinct((await existingDistinct(q, key!)) ?? '');
    const conversation = await applyConversationChange(rt, q, outbox, id, { before: null, actorId: caller });
    return { conversation: await conversationView(rt, q, conversation!, caller) };
  });
}

function listArg(args: Args, names: string[]): string[] {
  const name = names.find((n) => args[n] !== undefined) ?? names[0];
  return idList({ [names[0]]: args[name] }, names[0], 'user');
}

type MemberLists = { participants: string[]; admins: string[] };

/**
 * The frame the four admin-only membership lambdas share: read (conversation_id, <list>), lock the
 * conversation as an admin, let `plan` compute the new lists, write them and answer the caller's view
 * (or the stored record when the caller is no longer a participant).
 */
function membershipLambda(list: 'participant_ids' | 'admin_ids', plan: (conversation: ConversationRow, users: string[], q: Queryable) => Promise<MemberLists> | MemberLists) {
  const aliases = [list, list === 'participant_ids' ? 'participants' : 'admins'];
  return async (rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> => {
    const caller = callerOf(options);
    const args = readArgs(param, ['conversation_id', list]);
    const cid = requiredId(args, 'conversation_id', 'conversation');
    const users = listArg(args, aliases);
    return rt.lambda(async (q, outbox) => {
      const conversation = await lockForAdmin(q, cid, caller);
      const view = await changeLists(rt, q, outbox, conversation, await plan(conversation, users, q), caller);
      return { conversation: view ?? (await storedConversationJSON(q, cid)) };
    });
  };
}

/** chat:add_participants (admin); new participants start with nothing unread. */
export const addParticipants = membershipLambda('participant_ids', async (conversation, users, q) => {
  await assertUsersExist(q, users, 'participant_ids');
  return { participants: [...new Set([...conversation.participant_ids, ...users])], admins: conversation.admin_ids };
});

/** chat:remove_participants (admin); removed users lose their roles at once (fixes A4). */
export const removeParticipants = membershipLambda('participant_ids', (conversation, users) => ({
  participants: conversation.participant_ids.filter((p) => !users.includes(p)),
  admins: conversation.admin_ids.filter((a) => !users.includes(a)),
}));

/**
 * chat:add_admins (admin); a user who is not a participant yet becomes one too (the SDK's documented
 * behaviour, chat-api.md §6), with the participant's row and role — 1.7 gave them only a row (C6).
 */
export const addAdmins = membershipLambda('admin_ids', async (conversation, users, q) => {
  const outsiders = users.filter((u) => !conversation.participant_ids.includes(u));
  await assertUsersExist(q, outsiders, 'admin_ids');
  return { participants: [...conversation.participant_ids, ...outsiders], admins: [...new Set([...conversation.admin_ids, ...users])] };
});

/** chat:remove_admins (admin); a conversation with participants keeps at least one admin. */
export const removeAdmins = membershipLambda('admin_ids', (conversation, users) => {
  const admins = conversation.admin_ids.filter((a) => !users.includes(a));
  if (admins.length === 0 && conversation.participant_ids.length > 0) {
    throw invalidArgument('a conversation must keep at least one admin (leave the conversation instead)', ['admin_ids']);
  }
  return { participants: conversation.participant_ids, admins };
});

/** chat:leave_conversation — removes the caller (and their admin role); the last admin may leave. */
export async function leaveConversation(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const cid = requiredId(readArgs(param, ['conversation_id']), 'conversation_id', 'conversation');
  await rt.lambda(async (q, outbox) => {
    const conversation = await lockForParticipant(q, cid, caller);
    const participants = conversation.participant_ids.filter((p) => p !== caller);
    const admins = conversation.admin_ids.filter((a) => a !== caller);
    await changeLists(rt, q, outbox, conversation, { participants, admins }, caller);
  });
  return { status: 'OK' };
}

/**
 * chat:delete_conversation (admin) — a soft delete: the record stays with `deleted: true` and empty
 * lists, every member is removed (rows, roles, `delete` event). Messages stay, readable by nobody but
 * their senders.
 */
export async function deleteConversation(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const cid = requiredId(readArgs(param, ['conversation_id']), 'conversation_id', 'conversation');
  await rt.lambda(async (q, outbox) => {
    const conversation = await lockForAdmin(q, cid, caller);
    await q.query(
      `UPDATE conversation SET deleted = true, participant_ids = '[]'::jsonb, admin_ids = '[]'::jsonb, participant_count = 0,
              distinct_by_participants = false, distinct_key = NULL, _updated_at = ${NOW_UTC}, _updated_by = $2
        WHERE _id = $1`,
      [cid, caller],
    );
    await applyConversationChange(rt, q, outbox, cid, { before: conversation, actorId: caller, deleted: true });
  });
  return { status: 'OK' };
}

/** chat:get_conversation — with the caller's unread_count and the last message record. */
export async function getConversation(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const args = readArgs(param, ['conversation_id', 'include_last_message']);
  const cid = requiredId(args, 'conversation_id', 'conversation');
  const includeLast = optionalBoolean(args, 'include_last_message', true);
  return rt.lambda(async (q) => {
    const conversation = await loadConversation(q, cid, false);
    if (!conversation || conversation.deleted) throw notFound(`conversation "${cid}" not found`);
    if (!conversation.participant_ids.includes(caller)) throw permissionDenied('user is not a participant of the conversation, permission denied');
    const [view] = await conversationViews(rt, q, [conversation], caller, includeLast);
    return { conversation: view };
  });
}

/** chat:get_conversations — the caller's conversations, newest activity first, paged. */
export async function getConversations(rt: ChatRuntime, param: unknown, options: CloudCallOptions): Promise<unknown> {
  const caller = callerOf(options);
  const args = readArgs(param, ['page', 'page_size', 'include_last_message', 'order']);
  const page = optionalInteger(args, 'page', { fallback: 1, min: 1, cap: 1_000_000 });
  const pageSize = optionalInteger(args, 'page_size', { fallback: 50, min: 1, cap: 1000 });
  const includeLast = optionalBoolean(args, 'include_last_message', true);
  return rt.lambda(async (q) => {
    const res = await q.query(
      `SELECT ${CONVERSATION_COLUMNS} FROM user_conversation uc JOIN conversation c ON c._id = uc.conversation
        WHERE uc."user" = $1 AND NOT COALESCE(c.deleted, false)
        ORDER BY COALESCE(c.last_message_at, c._created_at) DESC, c._id DESC
        OFFSET $2 LIMIT $3`,
      [caller, (page - 1) * pageSize, pageSize],
    );
    const rows = res.rows.map((row) => ({
      ...row,
      admin_ids: Array.isArray(row.admin_ids) ? row.admin_ids : [],
      participant_ids: Array.isArray(row.participant_ids) ? row.participant_ids : [],
    })) as ConversationRow[];
    return { conversations: await conversationViews(rt, q, rows, caller, includeLast) };
  });
}
