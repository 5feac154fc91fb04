
import { closeAllClients, newClient } from '../support/client';
import { TEST_MASTER_KEY, type TestServer } from '../support/server';
import {
  type ChatUser,
  type Feed,
  bareId,
  expectError,
  invariants,
  recordEventOf,
  signupUsers,
  startChatServer,
  subscribeFeed,
} from './support';

const skygear: any = require('skygear');
const Message = skygear.Record.extend('message');

/**
 * Message edit (a record save by the author) and chat:delete_message (author or admin), chat-api.md
 * §6: history, revision, realtime, and I2/I3/I4 exact afterwards (checked over the whole database).
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const fetchMessage = async (user: ChatUser, cid: string, mid: string): Promise<any> => {
  const page = await user.call('chat:get_messages', { conversation_id: cid, limit: 100 });
  return page.results.find((m: any) => bareId(m._id) === mid);
};

const unread = async (user: ChatUser, cid: string): Promise<number> =>
  (await user.call('chat:get_conversation', [cid])).conversation.unread_count;

async function history(mid: string): Promise<any[]> {
  const res = await server.db.query(
    `SELECT revision, body, metadata, attachment, conversation_id, conversation, _owner_id, _access FROM message_history WHERE parent = $1 ORDER BY revision`,
    [mid],
  );
  return res.rows;
}

/** The author saves the whole fetched record back with a new body, as the 1.x SDK's editMessage does. */
async function edit(user: ChatUser, cid: string, mid: string, changes: Record<string, unknown>): Promise<any> {
  const current = await fetchMessage(user, cid, mid);
  const record = new Message(current);
  Object.assign(record, changes);
  return user.client.publicDB.save(record);
}

describe('editing a message', () => {
  let alice: ChatUser, bob: ChatUser, carol: ChatUser, eve: ChatUser;
  let feeds: Record<string, Feed>;
  let cid: string;

  beforeAll(async () => {
    [alice, bob, carol, eve] = await signupUsers(server, 4, 'edit');
    feeds = { alice: await subscribeFeed(alice), bob: await subscribeFeed(bob), eve: await subscribeFeed(eve) };
    cid = await alice.createConversation([bob, carol], 'edits');
  }, 60_000);

  test('the author edits: new body, revision, edited_at/by, the old version in message_history, update to participants', async () => {
    const mid = await bob.send(cid, 'first version', { extra: { metadata: { v: 1 } } });
    const saved = await edit(bob, cid, mid, { body: 'second version', metadata: { v: 2 } });
    expect(saved.body).toBe('second version');
    expect(saved.revision).toBe(2);
    expect(saved.edited_by).toEqual(expect.objectContaining({ id: `user/${bob.id}` }));
    expect(saved.edited_at).toBeInstanceOf(Date);
    // Both field generations on the saved record.
    expect(saved.conversation.id).toBe(`conversation/${cid}`);
    expect(saved.conversation_id.id).toBe(`conversation/${cid}`);
    expect(saved.message_status).toBe('delivered');
    expect(saved.conversation_status).toBe('delivered');

    const stored = await fetchMessage(carol, cid, mid);
    expect(stored).toMatchObject({ body: 'second version', metadata: { v: 2 }, revision: 2, seq: saved.seq, deleted: false });
    expect(await history(mid)).toEqual([
      expect.objectContaining({ revision: 1, body: 'first version', metadata: { v: 1 }, conversation_id: cid, conversation: cid, _owner_id: bob.id }),
    ]);
    for (const name of ['alice', 'bob']) {
      const e = await feeds[name].waitFor(recordEventOf('update', 'message', mid), `${name}: edit event`);
      expect(e.data.record).toMatchObject({ body: 'second version', revision: 2, message_status: 'delivered', conversation_status: 'delivered' });
      expect(e.data.record.edited_by).toEqual({ $type: 'ref', $id: `user/${bob.id}` });
    }
    expect(feeds.eve.matching(recordEventOf('update', 'message', mid))).toEqual([]);

    await edit(bob, cid, mid, { body: 'third version' });
    expect((await history(mid)).map((h) => [h.revision, h.body])).toEqual([
      [1, 'first version'],
      [2, 'second version'],
    ]);
    // Participants may read the history through the record API.
    const MessageHistory = skygear.Record.extend('message_history');
    const query = new skygear.Query(MessageHistory).equalTo('parent', new skygear.Reference(`message/${mid}`));
    const visible = await carol.client.publicDB.query(query);
    expect(visible.map((h: any) => h.body).sort()).toEqual(['first version', 'second version']);
    expect(await eve.client.publicDB.query(query)).toHaveLength(0);
    await invariants(server);
  });

  test('an edit changes no count or status (I2–I4 stay exact)', async () => {
    const mid = await bob.send(cid, 'counted');
    const before = await unread(carol, cid);
    await edit(bob, cid, mid, { body: 'counted, edited' });
    expect(await unread(carol, cid)).toBe(before);
    await carol.call('chat:mark_as_read', [[mid]]);
    await edit(bob, cid, mid, { body: 'read, then edited' });
    expect((await fetchMessage(bob, cid, mid)).message_status).toBe('some_read');
    await invariants(server);
  });

  test('only the author may edit (102); the master key may', async () => {
    const mid = await bob.send(cid, 'mine');
    await expectError(edit(alice, cid, mid, { body: 'the admin rewrites it' }), 102);
    await expectError(edit(carol, cid, mid, { body: 'another member rewrites it' }), 102);
    await expectError(eve.client.publicDB.save(new Message({ _id: `message/${mid}`, body: 'an outsider rewrites it' })), 102);
    const master = await newClient(server, { apiKey: TEST_MASTER_KEY });
    const record = new Message(await fetchMessage(bob, cid, mid));
    record.body = 'moderated';
    await master.publicDB.save(record);
    expect((await fetchMessage(carol, cid, mid)).body).toBe('moderated');
    expect((await history(mid)).map((h) => h.body)).toEqual(['mine']);
    await invariants(server);
  });

  test('no move to another conversation, no new seq, no delete by save, no edit of a deleted message (108)', async () => {
    const other = await alice.createConversation([bob], 'other');
    const mid = await bob.send(cid, 'stays here');
    await expectError(edit(bob, cid, mid, { conversation: new skygear.Reference(`conversation/${other}`) }), 108);
    await expectError(edit(bob, cid, mid, { conversation_id: new skygear.Reference(`conversation/${other}`) }), 108);
    await expectError(edit(bob, cid, mid, { seq: 1 }), 108);
    await expectError(edit(bob, cid, mid, { deleted: true }), 108);
    await expectError(edit(bob, cid, mid, { body: 'x'.repeat(64 * 1024 + 1) }), 108);
    const record = new Message(await fetchMessage(bob, cid, mid));
    await bob.call('chat:delete_message', [mid]);
    record.body = 'back from the dead';
    await expectError(bob.client.publicDB.save(record), 108);
    const row = await server.db.query(`SELECT body, deleted, revision, conversation_id FROM message WHERE _id = $1`, [mid]);
    expect(row.rows[0]).toEqual({ body: null, deleted: true, revision: 1, conversation_id: cid });
    expect(await history(mid)).toEqual([]);
    await invariants(server);
  });
});

describe('chat:delete_message', () => {
  test('the author deletes: content cleared everywhere, last_message and unread counts follow, delete event', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3, 'del');
    const feeds = { alice: await subscribeFeed(alice), bob: await subscribeFeed(bob), carol: await subscribeFeed(carol) };
    const cid = await alice.createConversation([bob, carol], 'deletes');
    const m1 = await bob.send(cid, 'one');
    const m2 = await bob.send(cid, 'two', { extra: { metadata: { secret: true } } });
    await edit(bob, cid, m2, { body: 'two, edited' });
    await alice.call('chat:mark_as_read', [[m2]]); // alice read both; carol read nothing
    expect(await unread(carol, cid)).toBe(2);
    expect(await unread(alice, cid)).toBe(0);

    const deleted = await bob.call('chat:delete_message', [m2]);
    expect(deleted).toMatchObject({ _id: `message/${m2}`, deleted: true, seq: expect.any(Number) });
    expect(deleted.body).toBeUndefined();
    expect(deleted.metadata).toBeUndefined();
    expect(deleted.conversation.id).toBe(`conversation/${cid}`);
    expect(deleted.conversation_id.id).toBe(`conversation/${cid}`);
    // I2: the newest message left; I3: carol counted it, alice had read it, bob wrote it.
    expect((await carol.call('chat:get_conversation', [cid])).conversation.last_message._id).toBe(`message/${m1}`);
    expect(await unread(carol, cid)).toBe(1);
    expect(await unread(alice, cid)).toBe(0);
    expect((await history(m2)).map((h) => [h.body, h.metadata])).toEqual([[null, null]]);

    for (const name of ['alice', 'bob', 'carol'] as const) {
      const e = await feeds[name].waitFor(recordEventOf('delete', 'message', m2), `${name}: delete event`);
      expect(e.data.record).toMatchObject({ deleted: true });
      expect(e.data.record.body).toBeUndefined();
    }
    // carol's own read state changed: her devices hear it (chat-api.md §4).
    const own = await feeds.carol.waitFor((e) => recordEventOf('update', 'user_conversation')(e) && e.data.record.conversation.$id === `conversation/${cid}`, 'carol: read state');
    expect(own.data.record).toMatchObject({ unread_count: 1, user: { $type: 'ref', $id: `user/${carol.id}` } });
    // alice's only read-state event is the one of her own read: the delete changed nothing of hers.
    expect(feeds.alice.matching(recordEventOf('update', 'user_conversation')).map((e) => e.data.record.unread_count)).toEqual([0]);
    await feeds.carol.waitFor((e) => recordEventOf('update', 'conversation', cid)(e) && e.data.record.last_message.$id === `message/${m1}`, 'carol: last_message moved');

    // get_messages: not in results, listed in `deleted` (the window covers it).
    const page = await carol.call('chat:get_messages', [cid, 10]);
    expect(page.results.map((m: any) => bareId(m._id))).toEqual([m1]);
    expect(page.deleted.map((m: any) => bareId(m._id))).toEqual([m2]);
    expect(page.deleted[0].body).toBeUndefined();

    await expectError(bob.call('chat:delete_message', [m2]), 108); // twice
    await expectError(carol.call('chat:mark_as_read', [['no-such-message']]), 110);
    await carol.call('chat:mark_as_read', [[m1, m2]]); // a deleted id in the list is skipped
    expect(await unread(carol, cid)).toBe(0);
    await invariants(server);
  });

  test('who may delete: the author and admins; not other members or outsiders', async () => {
    const [alice, bob, carol, eve] = await signupUsers(server, 4, 'delwho');
    const cid = await alice.createConversation([bob, carol], 'who');
    const byBob = await bob.send(cid, 'bob wrote this');
    const byCarol = await carol.send(cid, 'carol wrote this');
    await expectError(carol.call('chat:delete_message', [byBob]), 102);
    await expectError(eve.call('chat:delete_message', [byBob]), 102);
    await expectError(bob.call('chat:delete_message', ['no-such-message']), 110);
    await expectError(bob.call('chat:delete_message', []), 108);
    await alice.call('chat:delete_message', [byBob]); // admin
    await carol.call('chat:delete_message', { message_id: byCarol }); // author
    expect((await alice.call('chat:get_conversation', [cid])).conversation.last_message).toBeNull();
    await expectError(bob.client.publicDB.delete(new Message({ _id: `message/${byBob}` })), 111);
    await invariants(server);
  });

  test('a deleted message keeps a true status when its readers leave (I4 holds for every message)', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3, 'delstatus');
    const cid = await alice.createConversation([bob, carol], 'status');
    const mid = await alice.send(cid, 'read by carol only');
    await carol.call('chat:mark_as_read', [[mid]]);
    await alice.call('chat:delete_message', [mid]);
    await alice.call('chat:remove_participants', [cid, [carol.id]]); // the only reader leaves the audience
    const row = await server.db.query(`SELECT conversation_status, message_status FROM message WHERE _id = $1`, [mid]);
    expect(row.rows[0]).toEqual({ conversation_status: 'delivered', message_status: 'delivered' });
    await invariants(server);
  });

  test('the deleted window of get_messages follows the page', async () => {
    const [alice, bob] = await signupUsers(server, 2, 'window');
    const cid = await alice.createConversation([bob], 'window');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await bob.send(cid, `m${i}`));
    await bob.call('chat:delete_message', [ids[1]]);
    await bob.call('chat:delete_message', [ids[4]]);
    const newest = await alice.call('chat:get_messages', [cid, 2]);
    expect(newest.results.map((m: any) => bareId(m._id))).toEqual([ids[5], ids[3]]);
    expect(newest.deleted.map((m: any) => bareId(m._id))).toEqual([ids[4]]);
    const older = await alice.call('chat:get_messages', { conversation_id: cid, limit: 2, before_message_id: ids[3] });
    expect(older.results.map((m: any) => bareId(m._id))).toEqual([ids[2], ids[0]]);
    expect(older.deleted.map((m: any) => bareId(m._id))).toEqual([ids[1]]);
    const forward = await alice.call('chat:get_messages', { conversation_id: cid, limit: 2, after_message_id: ids[0] });
    expect(forward.results.map((m: any) => bareId(m._id))).toEqual([ids[3], ids[2]]);
    expect(forward.deleted.map((m: any) => bareId(m._id))).toEqual([ids[1]]);
  });
});

test('get_messages order "edited_at": the most recently changed first; time cursors on that time', async () => {
  const [alice, bob] = await signupUsers(server, 2, 'order');
  const cid = await alice.createConversation([bob], 'order');
  const [m0, m1, m2] = [await bob.send(cid, 'a'), await bob.send(cid, 'b'), await bob.send(cid, 'c')];
  const saved = await edit(bob, cid, m0, { body: 'a, edited' });
  const byEdit = await alice.call('chat:get_messages', { conversation_id: cid, limit: 10, order: 'edited_at' });
  expect(byEdit.results.map((m: any) => bareId(m._id))).toEqual([m0, m2, m1]);
  const bySeq = await alice.call('chat:get_messages', { conversation_id: cid, limit: 10 });
  expect(bySeq.results.map((m: any) => bareId(m._id))).toEqual([m2, m1, m0]);
  const editedBefore = await alice.call('chat:get_messages', { conversation_id: cid, limit: 10, order: 'edited_at', before_time: saved.edited_at });
  expect(editedBefore.results.map((m: any) => bareId(m._id))).toEqual([m2, m1]);
  await expectError(alice.call('chat:get_messages', { conversation_id: cid, order: 'sideways' }), 108);
});
