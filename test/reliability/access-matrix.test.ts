
/**
 * Who may read, write and delete each chat record type, and call each lambda: admin, participant,
 * non-participant, removed participant, leaver, anonymous (API key, no user) and the master key.
 * The table is the contract (chat-api.md §3 Access); every cell is checked over raw HTTP against a
 * real server, and every denied write is checked in SQL to have changed nothing. The original's
 * holes (chat-plugin-features.md §7 A, A9) have their own tests at the end.
 */
import { randomUUID } from 'node:crypto';
import { receiptId, userConversationId } from '../../src/plugin/ids';
import { closeAllClients } from '../support/client';
import { callAction, type RawResponse } from '../support/http';
import type { TestServer } from '../support/server';
import { type ChatUser, signupUsers, startChatServer } from '../plugin/support';
import { checkInvariants } from '../plugin/invariants';
import { chatSnapshot, snapshotDiff } from './chat-state';

type Actor = 'admin' | 'participant' | 'nonParticipant' | 'removed' | 'leaver' | 'anonymous' | 'master';
const ACTORS: Actor[] = ['admin', 'participant', 'nonParticipant', 'removed', 'leaver', 'anonymous', 'master'];

let server: TestServer;
let users: Record<'admin' | 'participant' | 'nonParticipant' | 'removed' | 'leaver', ChatUser>;
let conv: string;
let message: string; // the admin's
let participantMessage: string;
let privateMessage: string;

beforeAll(async () => {
  server = await startChatServer();
  const [admin, participant, nonParticipant, removed, leaver] = await signupUsers(server, 5, 'acl');
  users = { admin, participant, nonParticipant, removed, leaver };
  conv = await admin.createConversation([participant, removed, leaver], 'matrix');
  message = await admin.send(conv, 'public hello');
  participantMessage = await participant.send(conv, 'a participant writes');
  privateMessage = await admin.send(conv, 'private hello', { db: 'private' });
  await participant.call('chat:mark_as_read', [[message]]);
  await removed.call('chat:mark_as_read', [[message]]);
  await admin.call('chat:remove_participants', [conv, [removed.id]]);
  await leaver.call('chat:leave_conversation', [conv]);
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

function call(actor: Actor, action: string, body: Record<string, unknown>): Promise<RawResponse> {
  if (actor === 'anonymous') return callAction(server, action, body, { apiKey: server.config.apiKey });
  if (actor === 'master') return callAction(server, action, body, { apiKey: server.config.masterKey });
  return callAction(server, action, body, { apiKey: server.config.apiKey, accessToken: users[actor].client.auth.accessToken });
}

/** The Skygear error code of a response (per-record error for single-record record actions), or 0. */
function codeOf(res: RawResponse): number {
  if (res.status >= 500) throw new Error(`HTTP ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.json?.error) return res.json.error.code;
  const item = Array.isArray(res.json?.result) ? res.json.result[0] : undefined;
  if (item?._type === 'error') return item.code;
  return 0;
}

const ref = (type: string, id: string) => ({ $type: 'ref', $id: `${type}/${id}` });
const Y = 'allowed' as const;
type Expect = typeof Y | number[]; // allowed, or denied with one of these codes

// ------------------------------------------------------------------------------- records
interface RecordCase {
  type: string;
  id: () => string;
  databaseId?: string;
  read: Record<Actor, Expect>;
  /** A harmless update, and who may make it. */
  write: { fields: () => Record<string, unknown>; who: Record<Actor, Expect> };
}

const NO_READ = [101, 102, 110];
const NO_WRITE = [101, 102, 110, 111];
const everyone = (e: Expect): Record<Actor, Expect> => Object.fromEntries(ACTORS.map((a) => [a, e])) as Record<Actor, Expect>;
const members = (extra: Partial<Record<Actor, Expect>> = {}): Record<Actor, Expect> => ({
  admin: Y, participant: Y, nonParticipant: NO_READ, removed: NO_READ, leaver: NO_READ, anonymous: NO_READ, master: Y, ...extra,
});

const RECORDS: RecordCase[] = [
  {
    type: 'conversation',
    id: () => `conversation/${conv}`,
    read: members(),
    write: {
      fields: () => ({ title: `renamed ${randomUUID().slice(0, 4)}` }),
      who: { ...everyone(NO_WRITE), admin: Y, master: Y },
    },
  },
  {
    // An edit (chat-api.md §6): the author and the master key only.
    type: 'message (the admin\'s)',
    id: () => `message/${message}`,
    read: members(),
    write: { fields: () => ({ body: 'edited', conversation_id: ref('conversation', conv) }), who: { ...everyone(NO_WRITE), admin: Y, master: Y } },
  },
  {
    // …not an admin who did not write it.
    type: 'message (a participant\'s)',
    id: () => `message/${participantMessage}`,
    read: members(),
    write: { fields: () => ({ body: 'edited', conversation: ref('conversation', conv) }), who: { ...everyone(NO_WRITE), participant: Y, master: Y } },
  },
  {
    type: 'private message (sender\'s private database)',
    id: () => `message/${privateMessage}`,
    databaseId: '_private',
    // `_private` is each caller's own database: only the sender has it there.
    read: { ...everyone(NO_READ), admin: Y, master: [101, 102, 110] },
    write: { fields: () => ({ body: 'edited', conversation_id: ref('conversation', conv) }), who: { ...everyone([101, 102, 109, 110, 111]), admin: Y } },
  },
  {
    type: 'user_conversation (the participant\'s)',
    id: () => `user_conversation/${userConversationId(conv, users.participant.id)}`,
    read: { ...everyone(NO_READ), participant: Y, master: Y },
    write: {
      fields: () => ({ last_read_message: ref('message', message) }),
      who: { ...everyone(NO_WRITE), participant: Y, master: Y },
    },
  },
  {
    type: 'receipt (the participant\'s)',
    id: () => `receipt/${receiptId(message, users.participant.id)}`,
    read: members(),
    write: {
      fields: () => ({ user_id: ref('user', users.participant.id), message_id: ref('message', message), delivered_at: { $type: 'date', $date: new Date().toISOString() } }),
      who: { ...everyone(NO_WRITE), participant: Y, master: Y },
    },
  },
];

const matches = (code: number, e: Expect) => (e === Y ? code === 0 : e.includes(code));

describe.each(RECORDS.map((r) => [r.type, r] as const))('record type %s', (_name, rc) => {
  test.each(ACTORS)('read as %s', async (actor) => {
    const res = await call(actor, 'record:fetch', { database_id: rc.databaseId ?? '_public', ids: [rc.id()] });
    const code = codeOf(res);
    if (!matches(code, rc.read[actor])) throw new Error(`${actor} read ${rc.type}: expected ${JSON.stringify(rc.read[actor])}, got ${code} ${res.text.slice(0, 300)}`);
    if (code === 0) expect(res.json.result[0]._id).toBe(rc.id());
    // Queries must agree with fetches: no record a fetch refuses may come back from a query.
    const type = rc.id().split('/')[0];
    const q = await call(actor, 'record:query', { database_id: rc.databaseId ?? '_public', record_type: type, limit: 1000 });
    if (q.json?.error) expect(rc.read[actor]).not.toBe(Y);
    else expect((q.json.result as any[]).some((r) => r._id === rc.id())).toBe(rc.read[actor] === Y);
  });

  test.each(ACTORS)('write as %s', async (actor) => {
    const before = await chatSnapshot(server.db);
    const res = await call(actor, 'record:save', { database_id: rc.databaseId ?? '_public', records: [{ _id: rc.id(), ...rc.write.fields() }] });
    const code = codeOf(res);
    const e = rc.write.who[actor];
    if (!matches(code, e)) throw new Error(`${actor} write ${rc.type}: expected ${JSON.stringify(e)}, got ${code} ${res.text.slice(0, 300)}`);
    if (e !== Y) expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
    await checkInvariants(server.db);
  });

  test.each(ACTORS)('delete as %s', async (actor) => {
    const before = await chatSnapshot(server.db);
    const res = await call(actor, 'record:delete', { database_id: rc.databaseId ?? '_public', ids: [rc.id()] });
    const code = codeOf(res);
    // Nobody deletes chat records through the record API, not even the master key (lambdas do it).
    if (![101, 102, 110, 111].includes(code)) throw new Error(`${actor} delete ${rc.type}: got ${code} ${res.text.slice(0, 300)}`);
    expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
  });
});

// ------------------------------------------------------------------------------- lambdas
const NOT_MEMBER = [102];
const NO_USER = [101, 104];
/**
 * Lambdas need a user. The master key without a user token acts as Skygear's god user, who is a
 * member of nothing: it gets what any non-participant gets (102, or empty listings).
 */
const lambdaRow = (allowedFor: Actor[], deniedCodes = NOT_MEMBER): Record<Actor, Expect> =>
  Object.fromEntries(
    ACTORS.map((a) => {
      if (a === 'anonymous') return [a, NO_USER];
      if (a === 'master') return [a, allowedFor.includes('nonParticipant') ? Y : deniedCodes];
      return [a, allowedFor.includes(a) ? Y : deniedCodes];
    }),
  ) as Record<Actor, Expect>;

/** [lambda, args, who may call it]. Calls that would change state are built to be no-ops when allowed. */
const LAMBDAS: Array<[string, () => unknown, Record<Actor, Expect>]> = [
  ['chat:get_conversation', () => [conv], lambdaRow(['admin', 'participant'])],
  ['chat:get_messages', () => [conv, 10], lambdaRow(['admin', 'participant'])],
  ['chat:get_messages_by_ids', () => [[message]], lambdaRow(['admin', 'participant', 'nonParticipant', 'removed', 'leaver'])],
  ['chat:get_receipt', () => [message], lambdaRow(['admin', 'participant'])],
  ['chat:mark_as_delivered', () => [[message]], lambdaRow(['admin', 'participant'])],
  ['chat:mark_as_read', () => [[message]], lambdaRow(['admin', 'participant'])],
  ['chat:typing', () => [conv, 'begin'], lambdaRow(['admin', 'participant'])],
  ['chat:get_conversations', () => [1, 10], lambdaRow(['admin', 'participant', 'nonParticipant', 'removed', 'leaver'])],
  ['chat:total_unread', () => undefined, lambdaRow(['admin', 'participant', 'nonParticipant', 'removed', 'leaver'])],
  ['chat:add_participants', () => [conv, [users.participant.id]], lambdaRow(['admin'])],
  ['chat:remove_participants', () => [conv, [users.nonParticipant.id]], lambdaRow(['admin'])],
  ['chat:add_admins', () => [conv, [users.admin.id]], lambdaRow(['admin'])],
  ['chat:remove_admins', () => [conv, [users.nonParticipant.id]], lambdaRow(['admin'])],
  ['chat:delete_conversation', () => [conv], lambdaRow([])], // the admin's delete is tested below
  ['chat:leave_conversation', () => [conv], lambdaRow([])], // likewise
];

describe.each(LAMBDAS.map(([name, args, who]) => [name, args, who] as const))('lambda %s', (name, args, who) => {
  test.each(ACTORS.filter((a) => !((name === 'chat:delete_conversation' || name === 'chat:leave_conversation') && (a === 'admin' || a === 'participant'))))(
    'as %s',
    async (actor) => {
      const before = await chatSnapshot(server.db);
      const res = await call(actor, name, { args: args() });
      const code = codeOf(res);
      if (!matches(code, who[actor])) throw new Error(`${actor} ${name}: expected ${JSON.stringify(who[actor])}, got ${code} ${res.text.slice(0, 300)}`);
      if (who[actor] !== Y) expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
    },
  );
});

test('chat:delete_message: the author and an admin may; another member, an outsider and a user-less master key may not', async () => {
  const expected: Record<Actor, Expect> = {
    participant: Y, // the author
    admin: Y,
    nonParticipant: NOT_MEMBER,
    removed: NOT_MEMBER,
    leaver: NOT_MEMBER,
    anonymous: NO_USER,
    master: NOT_MEMBER, // Skygear's god user is a member of nothing
  };
  const author = users.participant;
  const bystander = await users.admin.send(conv, 'another member writes'); // not deletable by the participant
  expect(codeOf(await call('participant', 'chat:delete_message', { args: [bystander] }))).toBe(102);
  for (const actor of ACTORS) {
    const fresh = await author.send(conv, `to be deleted by ${actor}`);
    const before = await chatSnapshot(server.db);
    const code = codeOf(await call(actor, 'chat:delete_message', { args: [fresh] }));
    if (!matches(code, expected[actor])) throw new Error(`${actor} chat:delete_message: expected ${JSON.stringify(expected[actor])}, got ${code}`);
    if (expected[actor] !== Y) expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
    await checkInvariants(server.db);
  }
});

test('leave and delete: a participant may leave but not delete; the admin may delete', async () => {
  const [a, p] = [users.admin, users.participant];
  const temp = await a.createConversation([p], 'temp');
  expect(codeOf(await call('participant', 'chat:delete_conversation', { args: [temp] }))).toBe(102);
  expect(codeOf(await call('participant', 'chat:leave_conversation', { args: [temp] }))).toBe(0);
  expect(codeOf(await call('admin', 'chat:delete_conversation', { args: [temp] }))).toBe(0);
  expect(codeOf(await call('admin', 'chat:get_conversation', { args: [temp] }))).toBe(110);
  await checkInvariants(server.db);
});

// ------------------------------------------------------------------------------- the original's holes
describe("the original plugin's holes stay closed", () => {
  const ucOf = (u: ChatUser) => `user_conversation/${userConversationId(conv, u.id)}`;
  const unreadOf = async (u: ChatUser) =>
    (await server.db.query<{ unread_count: number; last_read_message: string | null }>(
      `SELECT unread_count, last_read_message FROM user_conversation WHERE _id = $1`,
      [userConversationId(conv, u.id)],
    )).rows[0];

  test("A1: a member cannot write another member's user_conversation, its marker or unread_count", async () => {
    await users.admin.send(conv, 'makes the participant unread');
    const before = await unreadOf(users.participant);
    const snapshot = await chatSnapshot(server.db);
    // (No new field names here: in DEV_MODE the host adds a column for an unknown field before the
    // access check, so even a refused save would show up in the snapshot — see docs/reliability.md.)
    for (const fields of [{ unread_count: 0 }, { last_read_message: ref('message', message) }, { unread_count: 0, last_read_message: null }]) {
      const res = await call('admin', 'record:save', {
        records: [{ _id: ucOf(users.participant), user: ref('user', users.participant.id), conversation: ref('conversation', conv), ...fields }],
      });
      expect([102]).toContain(codeOf(res));
    }
    expect(await unreadOf(users.participant)).toEqual(before);
    expect(snapshotDiff(snapshot, await chatSnapshot(server.db))).toEqual([]);
  });

  test('A1: nobody sets their own unread_count', async () => {
    const before = await unreadOf(users.participant);
    expect(before.unread_count).toBeGreaterThan(0);
    const res = await call('participant', 'record:save', { records: [{ _id: ucOf(users.participant), unread_count: 0 }] });
    expect(codeOf(res)).toBe(108);
    expect(await unreadOf(users.participant)).toEqual(before);
  });

  test('A1: a participant cannot promote themselves (conversation save, add_admins, a flag on their row)', async () => {
    const p = users.participant;
    const admins = async () => (await server.db.query(`SELECT admin_ids FROM conversation WHERE _id = $1`, [conv])).rows[0].admin_ids;
    const before = await admins();
    expect(codeOf(await call('participant', 'record:save', { records: [{ _id: `conversation/${conv}`, admin_ids: [users.admin.id, p.id] }] }))).toBe(102);
    expect(codeOf(await call('participant', 'chat:add_admins', { args: [conv, [p.id]] }))).toBe(102);
    // 1.7 trusted an `is_admin` flag on the member's own row; whatever the save does, it grants nothing.
    await call('participant', 'record:save', { records: [{ _id: ucOf(p), is_admin: true }] });
    expect(codeOf(await call('participant', 'chat:add_participants', { args: [conv, [users.nonParticipant.id]] }))).toBe(102);
    expect(codeOf(await call('participant', 'record:save', { records: [{ _id: `conversation/${conv}`, title: 'hijacked' }] }))).toBe(102);
    expect(await admins()).toEqual(before);
    const roles = await server.db.query(`SELECT 1 FROM _auth_role WHERE auth_id = $1 AND role_id = $2`, [p.id, `conversation-admin-${conv}`]);
    expect(roles.rows).toHaveLength(0);
    await checkInvariants(server.db);
  });

  test("forging a receipt for someone else is refused (participant and outsider)", async () => {
    const fresh = await users.admin.send(conv, 'to be forged');
    for (const actor of ['admin', 'nonParticipant'] as const) {
      const res = await call(actor, 'record:save', {
        records: [{
          _id: `receipt/${receiptId(fresh, users.participant.id)}`,
          user_id: ref('user', users.participant.id),
          message_id: ref('message', fresh),
          read_at: { $type: 'date', $date: new Date().toISOString() },
        }],
      });
      expect(codeOf(res)).toBe(102);
    }
    const receipts = await server.db.query(`SELECT 1 FROM receipt WHERE message_id = $1`, [fresh]);
    expect(receipts.rows).toHaveLength(0);
    const status = await server.db.query(`SELECT conversation_status FROM message WHERE _id = $1`, [fresh]);
    expect(status.rows[0].conversation_status).toBe('delivered');
  });

  test('A9: saving a conversation without _access (or with null) keeps its ACL', async () => {
    const acl = async () => (await server.db.query(`SELECT _access FROM conversation WHERE _id = $1`, [conv])).rows[0]._access;
    const before = await acl();
    expect(before).toEqual(expect.arrayContaining([{ role: `conversation-participant-${conv}`, level: 'read' }]));
    expect(codeOf(await call('admin', 'record:save', { records: [{ _id: `conversation/${conv}`, title: 'no access key' }] }))).toBe(0);
    expect(await acl()).toEqual(before);
    expect(codeOf(await call('admin', 'record:save', { records: [{ _id: `conversation/${conv}`, title: 'null access', _access: null }] }))).toBe(0);
    expect(await acl()).toEqual(before);
    expect(codeOf(await call('admin', 'record:save', { records: [{ _id: `conversation/${conv}`, _access: [{ public: true, level: 'write' }] }] }))).toBe(0);
    expect(await acl()).toEqual(before);
    // …and outsiders still cannot read or write it.
    expect(NO_READ).toContain(codeOf(await call('nonParticipant', 'record:fetch', { ids: [`conversation/${conv}`] })));
    expect(NO_WRITE).toContain(codeOf(await call('nonParticipant', 'record:save', { records: [{ _id: `conversation/${conv}`, title: 'x' }] })));
    await checkInvariants(server.db);
  });

  test('the _union database is master-only: no private message leaks through it', async () => {
    for (const actor of ['admin', 'participant', 'nonParticipant', 'removed', 'anonymous'] as const) {
      const q = await call(actor, 'record:query', { database_id: '_union', record_type: 'message' });
      expect(q.json?.error?.code).toEqual(expect.any(Number));
      expect([101, 102]).toContain(q.json.error.code);
      const f = await call(actor, 'record:fetch', { database_id: '_union', ids: [`message/${privateMessage}`] });
      expect([101, 102]).toContain(codeOf(f));
    }
    const master = await call('master', 'record:query', { database_id: '_union', record_type: 'message' });
    expect((master.json.result as any[]).map((m) => m._id)).toContain(`message/${privateMessage}`);
  });

  test('A4: removed participants and leavers read no messages, receipts or conversation through the record API', async () => {
    for (const actor of ['removed', 'leaver'] as const) {
      for (const type of ['message', 'receipt', 'conversation', 'user_conversation']) {
        const q = await call(actor, 'record:query', { record_type: type, limit: 1000 });
        const ids = (q.json.result as any[]).map((r) => r._id);
        expect(ids.filter((id) => id.includes(conv) || id === `message/${message}`)).toEqual([]);
        if (type === 'message') expect(ids).toEqual([]);
      }
      const byConv = await call(actor, 'record:query', {
        record_type: 'message',
        predicate: ['eq', { $type: 'keypath', $val: 'conversation_id' }, ref('conversation', conv)],
      });
      expect(byConv.json.result).toEqual([]);
      expect(NO_READ).toContain(codeOf(await call(actor, 'record:fetch', { ids: [`message/${message}`] })));
      expect(codeOf(await call(actor, 'chat:get_messages', { args: [conv, 10] }))).toBe(102);
    }
    // A receipt follows the conversation's ACL, so a leaver cannot read the removed user's receipt;
    // its owner keeps reading their own (Skygear: owners always read their records) — it holds only
    // message id and timestamps, no content.
    expect(NO_READ).toContain(codeOf(await call('leaver', 'record:fetch', { ids: [`receipt/${receiptId(message, users.removed.id)}`] })));
    expect(codeOf(await call('removed', 'record:fetch', { ids: [`receipt/${receiptId(message, users.removed.id)}`] }))).toBe(0);
  });

  test('A4: a removed admin loses admin write at once (record API and lambdas)', async () => {
    const [a, p, n] = [users.admin, users.participant, users.nonParticipant];
    const temp = await a.createConversation([p, n], 'demote');
    expect(codeOf(await call('admin', 'chat:add_admins', { args: [temp, [n.id]] }))).toBe(0);
    expect(codeOf(await call('admin', 'chat:remove_participants', { args: [temp, [n.id]] }))).toBe(0);
    const before = await chatSnapshot(server.db);
    expect(NO_WRITE).toContain(codeOf(await call('nonParticipant', 'record:save', { records: [{ _id: `conversation/${temp}`, title: 'still admin?' }] })));
    expect(codeOf(await call('nonParticipant', 'chat:add_participants', { args: [temp, [n.id]] }))).toBe(102);
    expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
    const roles = await server.db.query(`SELECT role_id FROM _auth_role WHERE auth_id = $1 AND role_id LIKE $2`, [n.id, `%${temp}`]);
    expect(roles.rows).toEqual([]);
    await checkInvariants(server.db);
  });

  test('A7/A9: messages and receipts are never stored with a null or public ACL', async () => {
    const open = await server.db.query(
      `SELECT 'message' AS t, _id, _access FROM message WHERE _access IS NULL OR _access::text LIKE '%"public"%'
       UNION ALL SELECT 'receipt', _id, _access FROM receipt WHERE _access IS NULL OR _access::text LIKE '%"public"%'
       UNION ALL SELECT 'conversation', _id, _access FROM conversation WHERE _access IS NULL OR _access::text LIKE '%"public"%'`,
    );
    expect(open.rows).toEqual([]);
  });

  test('A3: chat extension hooks are not lambdas', async () => {
    const names = [
      'after_message_sent', 'after_message_updated', 'after_message_deleted', 'typing_started', 'after_conversation_created',
      'after_conversation_updated', 'after_conversation_deleted', 'after_users_added_to_conversation', 'after_users_removed_from_conversation',
    ];
    for (const n of names) {
      for (const action of [`chat:${n}_hook`, `chat:${n}`]) {
        for (const actor of ['participant', 'master'] as const) {
          const res = await call(actor, action, { args: [{ message: { _id: `message/${message}` } }] });
          expect(res.json?.error?.code).toBe(117);
        }
      }
    }
  });
});
