import { HostTables } from '../protocol/host-tables';
import type { AclEntry } from '../protocol/record-json';
import { invalidArgument, notFound, permissionDenied } from './errors';
import { adminRole, participantRole, userConversationId } from './ids';
import { CONVERSATION_COLUMNS, type Row } from './records';
import { NOW_UTC, type Queryable } from './sql';

/**
 * Conversation membership: the lists on the conversation row are the source of truth; the plugin
 * keeps user_conversation rows, the participant/admin roles (`_role`/`_auth_role`, which the record
 * ACLs name) and participant_count in step with them, in the same transaction (I1).
 *
 * Locking rule: anything that changes a conversation, its membership, messages, receipts or counters
 * first locks the conversation row(s), in ascending _id order. `FOR NO KEY UPDATE` rather than
 * `FOR UPDATE`: it serialises our operations just the same but does not conflict with the KEY SHARE
 * lock a concurrent INSERT of a message/receipt row takes through its foreign key, so the host's own
 * writes never wait on it.
 */
export interface ConversationRow extends Row {
  _id: string;
  _owner_id: string;
  admin_ids: string[];
  participant_ids: string[];
  distinct_by_participants: boolean | null;
  deleted: boolean | null;
  last_message: string | null;
  title?: unknown;
  metadata?: unknown;
}

function asIdList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function toConversationRow(row: Row): ConversationRow {
  return { ...row, admin_ids: asIdList(row.admin_ids), participant_ids: asIdList(row.participant_ids) } as ConversationRow;
}

export async function lockConversations(q: Queryable, ids: readonly string[]): Promise<Map<string, ConversationRow>> {
  const sorted = [...new Set(ids)].sort();
  const res = await q.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversation c WHERE c._id = ANY($1::text[]) ORDER BY c._id FOR NO KEY UPDATE`, [sorted]);
  return new Map(res.rows.map((row) => [String(row._id), toConversationRow(row)]));
}

export async function loadConversation(q: Queryable, id: string, lock: boolean): Promise<ConversationRow | null> {
  const res = await q.query(`SELECT ${CONVERSATION_COLUMNS} FROM conversation c WHERE c._id = $1${lock ? ' FOR NO KEY UPDATE' : ''}`, [id]);
  return res.rows[0] ? toConversationRow(res.rows[0]) : null;
}

/** The conversation, locked, for an operation by `userId`: 110 if it does not exist, 102 if not a participant. */
export async function lockForParticipant(q: Queryable, id: string, userId: string): Promise<ConversationRow> {
  const conversation = await loadConversation(q, id, true);
  if (!conversation || conversation.deleted) throw notFound(`conversation "${id}" not found`);
  if (!conversation.participant_ids.includes(userId)) throw permissionDenied('user is not a participant of the conversation, permission denied');
  return conversation;
}

export async function lockForAdmin(q: Queryable, id: string, userId: string): Promise<ConversationRow> {
  const conversation = await lockForParticipant(q, id, userId);
  if (!conversation.admin_ids.includes(userId)) throw permissionDenied('user is not an admin of the conversation, permission denied');
  return conversation;
}

/** Users must exist (a `user` record and an `_auth` row, which refs and roles point at): 108 otherwise. */
export async function assertUsersExist(q: Queryable, ids: readonly string[], argument: string): Promise<void> {
  if (ids.length === 0) return;
  const res = await q.query<{ id: string }>(
    `SELECT a.id FROM ${HostTables.auth} a JOIN "user" u ON u._id = a.id WHERE a.id = ANY($1::text[])`,
    [[...new Set(ids)]],
  );
  const found = new Set(res.rows.map((r) => r.id));
  const unknown = ids.filter((id) => !found.has(id));
  if (unknown.length > 0) {
    throw invalidArgument(`unknown user ${unknown.map((u) => `"${u}"`).join(', ')}`, [argument], { user_ids: unknown });
  }
}

export interface MembershipChange {
  added: string[];
  removed: string[];
  participants: string[];
  admins: string[];
}

/**
 * Makes user_conversation rows and roles match the conversation's lists. Call with the conversation
 * locked and its row already updated. Idempotent: running it twice changes nothing the second time.
 *
 * A joining user's read marker is the conversation's newest message and `joined_seq` its newest seq,
 * so they start at 0 unread and never count (or affect the status of) messages sent before they joined.
 */
export async function syncMembership(q: Queryable, conversation: ConversationRow, actor: string): Promise<MembershipChange> {
  const cid = conversation._id;
  const participants = [...new Set(conversation.participant_ids)];
  const admins = [...new Set(conversation.admin_ids)].filter((a) => participants.includes(a));
  const rows = await q.query<{ user: string }>(`SELECT "user" FROM user_conversation WHERE conversation = $1`, [cid]);
  const current = new Set(rows.rows.map((r) => r.user));
  const added = participants.filter((p) => !current.has(p));
  const removed = [...current].filter((u) => !participants.includes(u));

  if (removed.length > 0) {
    await q.query(`DELETE FROM user_conversation WHERE conversation = $1 AND "user" = ANY($2::text[])`, [cid, removed]);
  }
  if (added.length > 0) {
    await q.query(
      `INSERT INTO user_conversation (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by,
                                      unread_count, last_read_message, "user", conversation, joined_seq)
       SELECT u.id, '', u.uid, '[]'::jsonb, ${NOW_UTC}, $3, ${NOW_UTC}, $3, 0, newest._id, u.uid, $1, COALESCE(newest.seq, 0)
         FROM unnest($2::text[], $4::text[]) AS u(uid, id)
         LEFT JOIN LATERAL (SELECT m._id, m.seq FROM message m WHERE m.conversation_id = $1 AND NOT m.deleted
                             ORDER BY m.seq DESC LIMIT 1) newest ON true
       ON CONFLICT (_id) DO NOTHING`,
      [cid, added, actor, added.map((u) => userConversationId(cid, u))],
    );
  }
  await syncRole(q, participantRole(cid), participants);
  await syncRole(q, adminRole(cid), admins);
  if (removed.length > 0) await transferOwnership(q, cid);
  return { added, removed, participants, admins };
}

/** Exactly `members` hold `role` afterwards (the role row is created on first use). */
async function syncRole(q: Queryable, role: string, members: string[]): Promise<void> {
  await q.query(`INSERT INTO ${HostTables.role} (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [role]);
  await q.query(`DELETE FROM ${HostTables.authRole} WHERE role_id = $1 AND NOT (auth_id = ANY($2::text[]))`, [role, members]);
  if (members.length > 0) {
    await q.query(
      `INSERT INTO ${HostTables.authRole} (auth_id, role_id) SELECT a.id, $1 FROM ${HostTables.auth} a WHERE a.id = ANY($2::text[])
       ON CONFLICT (auth_id, role_id) DO NOTHING`,
      [role, members],
    );
  }
}

/**
 * The server lets a record's owner read and write it whatever its ACL says, so a creator who left
 * would keep reading the conversation record. Ownership moves to a remaining admin (else participant);
 * an emptied conversation keeps its owner (there is nothing left to read but the empty record).
 */
async function transferOwnership(q: Queryable, cid: string): Promise<void> {
  await q.query(
    `UPDATE conversation c
        SET _owner_id = COALESCE(
              (SELECT min(a) FROM jsonb_array_elements_text(c.admin_ids) a),
              (SELECT min(p) FROM jsonb_array_elements_text(c.participant_ids) p),
              c._owner_id)
      WHERE c._id = $1 AND NOT (COALESCE(c.participant_ids, '[]'::jsonb) ? c._owner_id)`,
    [cid],
  );
}

/** The conversation's ACL: participants read, admins write (chat-api.md §3 Access). */
export function conversationAcl(cid: string): AclEntry[] {
  return [
    { role: participantRole(cid), level: 'read' },
    { role: adminRole(cid), level: 'write' },
  ];
}

/** Messages: participants read; the sender is the owner. Receipts use the same ACL. */
export function participantReadAcl(cid: string): AclEntry[] {
  return [{ role: participantRole(cid), level: 'read' }];
}
