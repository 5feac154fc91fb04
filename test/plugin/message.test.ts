
import pg from 'pg';
import { closeAllClients } from '../support/client';
import { isPostgres, testDatabaseUrl } from '../support/database';
import type { TestServer } from '../support/server';
import { type ChatUser, bareId, eventually, expectError, invariants, signupUsers, startChatServer } from './support';

const skygear: any = require('skygear');
const Message = skygear.Record.extend('message');

/** Sending through the record API (public and private database) and reading with chat:get_messages. */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const unread = async (user: ChatUser, cid: string): Promise<number> =>
  (await user.call('chat:get_conversation', [cid])).conversation.unread_count;

const ids = (res: any): string[] => res.results.map((m: any) => bareId(m._id));

describe('sending messages', () => {
  test('public and private database sends; last_message, unread counts and seq follow', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const m1 = await alice.send(cid, 'public one');
    await invariants(server);
    const m2 = await bob.send(cid, 'private two', { db: 'private' });
    await invariants(server);
    expect(await unread(alice, cid)).toBe(1); // bob's; her own never counts
    expect(await unread(bob, cid)).toBe(1);
    expect(await unread(carol, cid)).toBe(2);
    const view = (await carol.call('chat:get_conversation', [cid])).conversation;
    expect(view.last_message._id).toBe(`message/${m2}`);
    const page = await carol.call('chat:get_messages', [cid, 10]);
    expect(ids(page)).toEqual([m2, m1]);
    const [second, first] = page.results;
    expect(second.seq).toBeGreaterThan(first.seq);
    expect(first).toMatchObject({
      _type: 'record',
      _ownerID: alice.id,
      _created_by: alice.id,
      body: 'public one',
      conversation_status: 'delivered',
      metadata: {},
      _access: [{ role: `conversation-participant-${cid}`, level: 'read' }],
    });
    expect(first.conversation_id).toEqual(expect.objectContaining({ id: `conversation/${cid}` }));
    expect(new Date(first._created_at).toISOString()).toBe(first._created_at);
  });

  test('only participants may send (102); unknown conversation 110; bad fields 108', async () => {
    const [alice, bob, eve] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob], 'g');
    await expectError(eve.send(cid, 'intruder'), 102);
    await expectError(eve.send(cid, 'intruder', { db: 'private' }), 102);
    await expectError(alice.send('no-such-conversation', 'x'), 110);
    await expectError(alice.client.publicDB.save(new Message({ body: 'no conversation' })), 108);
    await expectError(alice.send(cid, 'x', { extra: { metadata: [1, 2] } }), 108);
    await expectError(alice.send(cid, 'x', { extra: { seq: 99 } }), 108);
    const count = await server.db.query(`SELECT count(*)::int AS n FROM message WHERE conversation_id = $1`, [cid]);
    expect(count.rows[0].n).toBe(0);
    await invariants(server);
  });

  test('a participant never counts messages sent before they joined', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob], 'g');
    await alice.send(cid, 'old 1');
    await alice.send(cid, 'old 2');
    await alice.call('chat:add_participants', [cid, [carol.id]]);
    expect(await unread(carol, cid)).toBe(0);
    await alice.send(cid, 'new');
    expect(await unread(carol, cid)).toBe(1);
    expect(await unread(bob, cid)).toBe(3);
    await invariants(server);
  });

  test('attachments come back as assets with a signed URL and content type', async () => {
    const [alice, bob] = await signupUsers(server, 2);
    const cid = await alice.createConversation([bob], 'g');
    const name = `att-${Date.now()}.png`;
    await server.db.query(`INSERT INTO _asset (id, content_type, size) VALUES ($1, 'image/png', 3)`, [name]);
    await alice.send(cid, 'pic', { extra: { attachment: new skygear.Asset({ name, url: 'http://ignored/' }) } });
    const [m] = (await bob.call('chat:get_messages', [cid, 1])).results;
    expect(m.attachment).toBeInstanceOf(skygear.Asset);
    expect(m.attachment.name).toBe(name);
    expect(m.attachment.contentType).toBe('image/png');
    expect(m.attachment.url).toContain(name);
    expect(m.attachment.url).toMatch(/signature=/);
    await expectError(alice.send(cid, 'ghost', { extra: { attachment: new skygear.Asset({ name: 'never-uploaded.png', url: 'http://x/' }) } }), 108);
  });
});

describe('chat:get_messages', () => {
  let alice: ChatUser;
  let bob: ChatUser;
  let eve: ChatUser;
  let cid: string;
  const sent: string[] = [];

  beforeAll(async () => {
    [alice, bob, eve] = await signupUsers(server, 3);
    cid = await alice.createConversation([bob], 'history');
    for (let i = 0; i < 7; i++) sent.push(await (i % 2 ? bob : alice).send(cid, `m${i}`));
  });

  test('newest first, limited, stable by seq', async () => {
    expect(ids(await bob.call('chat:get_messages', [cid, 3]))).toEqual([sent[6], sent[5], sent[4]]);
    expect(ids(await bob.call('chat:get_messages', { conversation_id: cid }))).toEqual([...sent].reverse());
    expect(ids(await bob.call('chat:get_messages', [cid, 5000]))).toHaveLength(7); // capped, not refused
  });

  test('before_message_id / after_message_id page by seq', async () => {
    expect(ids(await bob.call('chat:get_messages', { conversation_id: cid, limit: 2, before_message_id: sent[4] }))).toEqual([sent[3], sent[2]]);
    // The 1.7 positional order: id, limit, before_time, order, before_message_id.
    expect(ids(await bob.call('chat:get_messages', [cid, 2, null, null, `message/${sent[2]}`]))).toEqual([sent[1], sent[0]]);
    // "after" returns the page right after the cursor (fixes C12), newest first.
    expect(ids(await bob.call('chat:get_messages', { conversation_id: cid, limit: 2, after_message_id: sent[1] }))).toEqual([sent[3], sent[2]]);
  });

  test('before_time accepts a Date, ISO strings with microseconds or a zone offset', async () => {
    const [newest] = (await bob.call('chat:get_messages', [cid, 1])).results;
    const created = new Date(newest._created_at);
    expect(ids(await bob.call('chat:get_messages', [cid, 10, created]))).toEqual(sent.slice(0, 6).reverse());
    expect(ids(await bob.call('chat:get_messages', [cid, 10, created.toISOString()]))).toHaveLength(6);
    const later = new Date(created.getTime() + 1);
    expect(ids(await bob.call('chat:get_messages', [cid, 10, later.toISOString().replace('Z', '999Z')]))).toHaveLength(7);
    const inHongKong = new Date(later.getTime() + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    expect(ids(await bob.call('chat:get_messages', [cid, 10, inHongKong]))).toHaveLength(7);
    const earlierInHongKong = new Date(created.getTime() - 1 + 8 * 3600_000).toISOString().replace('Z', '+08:00');
    expect(ids(await bob.call('chat:get_messages', [cid, 10, earlierInHongKong]))).toHaveLength(6);
    const future = new Date(Date.now() + 60_000);
    expect(ids(await bob.call('chat:get_messages', { conversation_id: cid, before_time: future }))).toHaveLength(7);
  });

  test('errors: 102 non-participant, 110 unknown conversation, 108 bad arguments', async () => {
    await expectError(eve.call('chat:get_messages', [cid, 10]), 102);
    await expectError(bob.call('chat:get_messages', ['no-such', 10]), 110);
    const bad: Array<[unknown, string]> = [
      [[cid, 0], 'limit'],
      [[cid, 'ten'], 'limit'],
      [[cid, 1.5], 'limit'],
      [[cid, 10, 'yesterday'], 'before_time'],
      [{ conversation_id: cid, before_message_id: 'not-here' }, 'before_message_id'],
      [[], 'conversation_id'],
    ];
    for (const [args, name] of bad) {
      const error = await expectError(bob.call('chat:get_messages', args), 108);
      expect(error.info?.arguments).toEqual([name]);
    }
    await expectError(bob.call('chat:get_messages', { conversation_id: cid, before_time: new Date(), before_message_id: sent[1] }), 108);
  });

  test('get_messages_by_ids returns only messages of conversations the caller is in', async () => {
    const other = await eve.createConversation([alice], 'other');
    const foreign = await eve.send(other, 'not for bob');
    const res = await bob.call('chat:get_messages_by_ids', [[sent[0], sent[6], foreign, 'missing']]);
    expect(ids(res).sort()).toEqual([sent[0], sent[6]].sort());
    expect(ids(await eve.call('chat:get_messages_by_ids', [[sent[0]]]))).toEqual([]);
    await expectError(bob.call('chat:get_messages_by_ids', [[42]]), 108);
  });
});

/**
 * A send that waits in process for its turn in a busy conversation (conversation-turns.ts) waits
 * inside its transaction. It must not hold PostgreSQL's xmin horizon meanwhile: if it did, the row
 * versions every other send leaves in the conversation's user_conversation rows could not be pruned
 * and the hot conversation slowed down with every waiting send (docs/performance.md, round 3).
 * Needs a second connection holding a row lock, so it runs on PostgreSQL (the CI's second run);
 * embedded PGlite has a single connection and no concurrent transactions to observe.
 */
describe('send turns in a busy conversation', () => {
  (isPostgres() ? it : it.skip)('a send waiting for its turn holds no snapshot, and both sends then land in order', async () => {
    const [alice, bob] = await signupUsers(server, 2, 'turns');
    const conversationId = await alice.createConversation([bob], 'turns');

    // Another session locks the conversation row: the first send takes its turn and then waits on that
    // lock. A third one watches pg_stat_activity (outside a transaction, which would freeze its view).
    const locker = new pg.Client({ connectionString: testDatabaseUrl() });
    const watcher = new pg.Client({ connectionString: testDatabaseUrl() });
    await locker.connect();
    await watcher.connect();
    const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const others = `datname = current_database() AND pid NOT IN (pg_backend_pid(), ${lockerPid})`;
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${server.schema}".conversation WHERE _id = $1 FOR UPDATE`, [conversationId]);
      const first = alice.send(conversationId, 'first');
      await eventually(
        async () => (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE ${others} AND state = 'active' AND wait_event_type = 'Lock'`)).rows.length > 0,
        'the first send waiting for the conversation row lock',
      );
      const second = bob.send(conversationId, 'second');
      // The second send is now waiting for its turn, idle inside its transaction. Idle for a while:
      // between its statements it is briefly idle too (after BEGIN, after the stored-row check).
      const waiting = await eventually(async () => {
        const { rows } = await watcher.query<{ backend_xmin: string | null }>(
          `SELECT backend_xmin FROM pg_stat_activity
            WHERE ${others} AND state = 'idle in transaction' AND clock_timestamp() - state_change > interval '300 milliseconds'`,
        );
        return rows[0];
      }, 'the second send waiting for its turn');
      expect(waiting.backend_xmin).toBeNull();

      await locker.query('COMMIT');
      await Promise.all([first, second]);
    } finally {
      await locker.end();
      await watcher.end();
    }
    const { rows } = await server.db.query<{ body: string }>(`SELECT body FROM message WHERE conversation_id = $1 ORDER BY seq`, [conversationId]);
    expect(rows.map((r) => r.body)).toEqual(['first', 'second']);
    await invariants(server);
  });
});
