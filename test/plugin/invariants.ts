import type { Queryable } from '../../src/server/db/driver';
import { receiptId, userConversationId } from '../../src/plugin/ids';

/**
 * An SQL checker for the chat invariants I1–I5 (chat-api.md §3) over the WHOLE database, computed
 * independently of the plugin's own SQL where it can be. Throws with every violation listed, so a
 * failing test says exactly which rows disagree. Call it after every step of a test.
 */
export async function checkInvariants(db: Queryable): Promise<void> {
  const problems: string[] = [];
  const report = (what: string, rows: unknown[]) => {
    if (rows.length > 0) problems.push(`${what}:\n  ${rows.map((r) => JSON.stringify(r)).join('\n  ')}`);
  };

  const conversations = (
    await db.query<{ _id: string; participant_ids: unknown; admin_ids: unknown; participant_count: number; deleted: boolean | null; _access: unknown }>(
      `SELECT _id, participant_ids, admin_ids, participant_count, deleted, _access FROM conversation`,
    )
  ).rows;
  const members = (await db.query<{ conversation: string; user: string; _id: string; _owner_id: string }>(
    `SELECT conversation, "user", _id, _owner_id FROM user_conversation`,
  )).rows;
  const roles = (await db.query<{ auth_id: string; role_id: string }>(
    `SELECT auth_id, role_id FROM _auth_role WHERE role_id LIKE 'conversation-%'`,
  )).rows;

  // I1 membership: lists, count, rows, roles and ACL agree.
  const i1: unknown[] = [];
  for (const c of conversations) {
    const participants = Array.isArray(c.participant_ids) ? (c.participant_ids as string[]) : null;
    const admins = Array.isArray(c.admin_ids) ? (c.admin_ids as string[]) : null;
    if (!participants || !admins) {
      i1.push({ conversation: c._id, problem: 'lists are not arrays', participants: c.participant_ids, admins: c.admin_ids });
      continue;
    }
    const sorted = (xs: Iterable<string>) => [...xs].sort();
    const eq = (a: Iterable<string>, b: Iterable<string>) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
    if (new Set(participants).size !== participants.length) i1.push({ conversation: c._id, problem: 'duplicate participants', participants });
    if (participants.some((p) => p.includes('/'))) i1.push({ conversation: c._id, problem: 'prefixed participant id', participants });
    if (Number(c.participant_count) !== participants.length) i1.push({ conversation: c._id, problem: 'participant_count', count: c.participant_count, participants });
    if (!admins.every((a) => participants.includes(a))) i1.push({ conversation: c._id, problem: 'admin not a participant', admins, participants });
    const rows = members.filter((m) => m.conversation === c._id);
    if (!eq(rows.map((r) => r.user), participants)) i1.push({ conversation: c._id, problem: 'user_conversation rows', rows: rows.map((r) => r.user), participants });
    for (const r of rows) {
      if (r._id !== userConversationId(c._id, r.user) || r._owner_id !== r.user) i1.push({ conversation: c._id, problem: 'row id/owner', row: r });
    }
    const holders = (role: string) => roles.filter((r) => r.role_id === role).map((r) => r.auth_id);
    if (!eq(holders(`conversation-participant-${c._id}`), participants)) {
      i1.push({ conversation: c._id, problem: 'participant role', holders: holders(`conversation-participant-${c._id}`), participants });
    }
    if (!eq(holders(`conversation-admin-${c._id}`), admins)) {
      i1.push({ conversation: c._id, problem: 'admin role', holders: holders(`conversation-admin-${c._id}`), admins });
    }
    const acl = JSON.stringify(sortAcl(c._access));
    const expected = JSON.stringify(sortAcl([
      { role: `conversation-participant-${c._id}`, level: 'read' },
      { role: `conversation-admin-${c._id}`, level: 'write' },
    ]));
    if (acl !== expected) i1.push({ conversation: c._id, problem: 'acl', acl: c._access });
    if (c.deleted && participants.length > 0) i1.push({ conversation: c._id, problem: 'deleted conversation still has participants' });
  }
  report('I1 membership', i1);

  // I2 last_message is the newest non-deleted message.
  report(
    'I2 last_message',
    (
      await db.query(
        `SELECT c._id, c.last_message, newest._id AS expected
           FROM conversation c
           LEFT JOIN LATERAL (SELECT m._id FROM message m WHERE m.conversation_id = c._id AND NOT m.deleted
                               ORDER BY m.seq DESC LIMIT 1) newest ON true
          WHERE c.last_message IS DISTINCT FROM newest._id`,
      )
    ).rows,
  );

  // I3 unread counts: messages by others, newer than the marker and than the join point.
  report(
    'I3 unread_count',
    (
      await db.query(
        `SELECT uc.conversation, uc."user", uc.unread_count, expected.n AS expected
           FROM user_conversation uc
           CROSS JOIN LATERAL (
             SELECT count(*)::int AS n FROM message m
              WHERE m.conversation_id = uc.conversation AND NOT m.deleted AND m._owner_id <> uc."user"
                AND m.seq > uc.joined_seq
                AND (uc.last_read_message IS NULL OR m.seq > (SELECT seq FROM message WHERE _id = uc.last_read_message))) expected
          WHERE uc.unread_count <> expected.n`,
      )
    ).rows,
  );
  report(
    'I3 read marker belongs to its conversation',
    (
      await db.query(
        `SELECT uc._id, uc.last_read_message FROM user_conversation uc JOIN message m ON m._id = uc.last_read_message
          WHERE m.conversation_id <> uc.conversation`,
      )
    ).rows,
  );

  // I4 status over the other current participants who were members when the message was sent.
  report(
    'I4 conversation_status',
    (
      await db.query(
        `SELECT m._id, m.conversation_status, a.audience, a.readers,
                CASE WHEN a.readers = 0 THEN 'delivered' WHEN a.readers < a.audience THEN 'some_read' ELSE 'all_read' END AS expected
           FROM message m
           CROSS JOIN LATERAL (
             SELECT count(*)::int AS audience,
                    count(*) FILTER (WHERE EXISTS (SELECT 1 FROM receipt r WHERE r.message_id = m._id AND r.user_id = uc."user"
                                                    AND r.read_at IS NOT NULL))::int AS readers
               FROM user_conversation uc
              WHERE uc.conversation = m.conversation_id AND uc."user" <> m._owner_id AND uc.joined_seq < m.seq) a
          WHERE m.conversation_status IS DISTINCT FROM
                CASE WHEN a.readers = 0 THEN 'delivered' WHEN a.readers < a.audience THEN 'some_read' ELSE 'all_read' END`,
      )
    ).rows,
  );

  // I5 receipts: one per (user, message) with the deterministic id, owned by the reader; read implies delivered.
  const receipts = (await db.query<{ _id: string; user_id: string; message_id: string; _owner_id: string; read_at: Date | null; delivered_at: Date | null }>(
    `SELECT _id, user_id, message_id, _owner_id, read_at, delivered_at FROM receipt`,
  )).rows;
  const i5: unknown[] = [];
  const seen = new Set<string>();
  for (const r of receipts) {
    const key = `${r.message_id}|${r.user_id}`;
    if (seen.has(key)) i5.push({ problem: 'duplicate', receipt: r });
    seen.add(key);
    if (r._id !== receiptId(r.message_id, r.user_id)) i5.push({ problem: 'id', receipt: r });
    if (r._owner_id !== r.user_id) i5.push({ problem: 'owner', receipt: r });
    if (r.read_at && !r.delivered_at) i5.push({ problem: 'read but not delivered', receipt: r });
    if (r.read_at && r.delivered_at && r.delivered_at.getTime() > r.read_at.getTime()) i5.push({ problem: 'delivered after read', receipt: r });
  }
  report('I5 receipts', i5);

  // chat-api.md §6: both field generations hold the same values; a deleted message keeps no content.
  report(
    '§6 message field names',
    (
      await db.query(
        `SELECT _id, conversation_id, conversation, conversation_status, message_status FROM message
          WHERE conversation IS DISTINCT FROM conversation_id OR message_status IS DISTINCT FROM conversation_status`,
      )
    ).rows,
  );
  report(
    '§6 receipt field names',
    (await db.query(`SELECT _id, user_id, "user", message_id, message FROM receipt WHERE "user" IS DISTINCT FROM user_id OR message IS DISTINCT FROM message_id`)).rows,
  );
  report(
    '§6 deleted messages keep no content',
    (
      await db.query(
        `SELECT m._id, 'message' AS source FROM message m WHERE m.deleted AND (m.body IS NOT NULL OR m.metadata IS NOT NULL OR m.attachment IS NOT NULL)
         UNION ALL
         SELECT h.parent, 'history' FROM message_history h JOIN message m ON m._id = h.parent
          WHERE m.deleted AND (h.body IS NOT NULL OR h.metadata IS NOT NULL OR h.attachment IS NOT NULL)`,
      )
    ).rows,
  );

  if (problems.length > 0) throw new Error(`chat invariants violated:\n${problems.join('\n')}`);
}

function sortAcl(acl: unknown): unknown {
  if (!Array.isArray(acl)) return acl;
  return [...acl].map((e) => JSON.stringify(e, Object.keys(e).sort())).sort();
}

/** A snapshot of every receipt's timestamps, to prove they are never unset or moved. */
export async function receiptTimes(db: Queryable): Promise<Map<string, { read: number | null; delivered: number | null }>> {
  const res = await db.query<{ _id: string; read_at: Date | null; delivered_at: Date | null }>(`SELECT _id, read_at, delivered_at FROM receipt`);
  return new Map(res.rows.map((r) => [r._id, { read: r.read_at?.getTime() ?? null, delivered: r.delivered_at?.getTime() ?? null }]));
}

/** Every timestamp set in `before` is unchanged in `after`. */
export function assertReceiptTimesKept(
  before: Map<string, { read: number | null; delivered: number | null }>,
  after: Map<string, { read: number | null; delivered: number | null }>,
): void {
  const moved: unknown[] = [];
  for (const [id, t] of before) {
    const now = after.get(id);
    if (!now) moved.push({ id, problem: 'receipt disappeared' });
    else if ((t.read !== null && now.read !== t.read) || (t.delivered !== null && now.delivered !== t.delivered)) moved.push({ id, before: t, after: now });
  }
  if (moved.length > 0) throw new Error(`receipt timestamps changed:\n${moved.map((m) => JSON.stringify(m)).join('\n')}`);
}
