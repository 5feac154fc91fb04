
import { receiptId, userConversationId } from '../../src/plugin/ids';
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { assertReceiptTimesKept, receiptTimes } from './invariants';
import { type ChatUser, expectError, invariants, signupUsers, startChatServer } from './support';

const skygear: any = require('skygear');
const Receipt = skygear.Record.extend('receipt');
const UserConversation = skygear.Record.extend('user_conversation');

/** Receipts, read markers, unread counts and message status (I3–I5). */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const status = async (user: ChatUser, _cid: string, mid: string): Promise<string> => {
  const res = await user.call('chat:get_messages_by_ids', [[mid]]);
  return res.results[0].conversation_status;
};

const unread = async (user: ChatUser, cid: string): Promise<number> => (await user.call('chat:get_conversation', [cid])).conversation.unread_count;

const marker = async (user: ChatUser, cid: string): Promise<string | null> => {
  const res = await server.db.query(`SELECT last_read_message FROM user_conversation WHERE _id = $1`, [userConversationId(cid, user.id)]);
  return res.rows[0]?.last_read_message ?? null;
};

describe('mark_as_delivered / mark_as_read', () => {
  test('status goes delivered → some_read → all_read over the other participants (sender excluded, fixes B7)', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const mid = await alice.send(cid, 'hello');
    expect(await status(alice, cid, mid)).toBe('delivered');
    expect(await bob.call('chat:mark_as_delivered', [[mid]])).toEqual({ status: 'OK' });
    expect(await status(alice, cid, mid)).toBe('delivered');
    await invariants(server);
    expect(await alice.call('chat:mark_as_read', [mid])).toEqual({ status: 'OK' }); // her own: no effect on status
    expect(await status(alice, cid, mid)).toBe('delivered');
    await bob.call('chat:mark_as_read', [mid]); // a single id, seed style
    expect(await status(alice, cid, mid)).toBe('some_read');
    await invariants(server);
    await carol.call('chat:mark_as_read', { message_ids: [`message/${mid}`] });
    expect(await status(alice, cid, mid)).toBe('all_read');
    await invariants(server);
  });

  test('removing the only participant who has not read it makes it all_read (recomputed on membership change)', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const mid = await alice.send(cid, 'hello');
    await bob.call('chat:mark_as_read', [[mid]]);
    expect(await status(alice, cid, mid)).toBe('some_read');
    await alice.call('chat:remove_participants', [cid, [carol.id]]);
    expect(await status(alice, cid, mid)).toBe('all_read');
    await invariants(server);
    // A participant added later is not part of the old message's audience.
    await alice.call('chat:add_participants', [cid, [carol.id]]);
    expect(await status(alice, cid, mid)).toBe('all_read');
    await invariants(server);
  });

  test('read markers advance to the newest marked message, never backwards, with an exact recount', async () => {
    const [alice, bob] = await signupUsers(server, 2);
    const cid = await alice.createConversation([bob], 'g');
    const m = [];
    for (let i = 0; i < 4; i++) m.push(await alice.send(cid, `m${i}`));
    expect(await unread(bob, cid)).toBe(4);
    await bob.call('chat:mark_as_read', [[m[0], m[2]]]);
    expect(await marker(bob, cid)).toBe(m[2]);
    expect(await unread(bob, cid)).toBe(1);
    await bob.call('chat:mark_as_read', [[m[1]]]); // older: marker stays
    expect(await marker(bob, cid)).toBe(m[2]);
    expect(await unread(bob, cid)).toBe(1);
    await bob.call('chat:mark_as_read', [[m[3]]]);
    expect(await unread(bob, cid)).toBe(0);
    // Marking twice (two devices) changes nothing (fixes B3).
    await bob.call('chat:mark_as_read', [[m[3]]]);
    expect(await unread(bob, cid)).toBe(0);
    expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
    await invariants(server);
  });

  test('receipts: one per user and message, timestamps set once, read implies delivered', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const mid = await alice.send(cid, 'hello');
    await bob.call('chat:mark_as_delivered', [[mid]]);
    await carol.call('chat:mark_as_read', [[mid]]);
    const before = await receiptTimes(server.db);
    const res = await alice.call('chat:get_receipt', [mid]);
    const byUser = Object.fromEntries(res.receipts.map((r: any) => [r.user_id, r]));
    expect(Object.keys(byUser).sort()).toEqual([bob.id, carol.id].sort());
    expect(byUser[bob.id].read_at).toBeNull();
    expect(byUser[bob.id].delivered_at).toEqual(expect.any(String));
    expect(byUser[carol.id].read_at).toEqual(byUser[carol.id].delivered_at);
    await new Promise((r) => setTimeout(r, 20));
    await bob.call('chat:mark_as_delivered', [[mid]]);
    await carol.call('chat:mark_as_read', [[mid]]);
    await bob.call('chat:mark_as_read', [[mid]]);
    assertReceiptTimesKept(before, await receiptTimes(server.db));
    const count = await server.db.query(`SELECT count(*)::int AS n FROM receipt WHERE message_id = $1`, [mid]);
    expect(count.rows[0].n).toBe(2);
    await invariants(server);
  });

  test('errors: 102 outside the conversation (nothing written), 110 unknown message, 108 bad ids', async () => {
    const [alice, bob, eve] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob], 'g');
    const mid = await alice.send(cid, 'hello');
    const other = await eve.createConversation([alice], 'other');
    const foreign = await eve.send(other, 'x');
    await expectError(eve.call('chat:mark_as_read', [[mid]]), 102);
    await expectError(bob.call('chat:mark_as_read', [[mid, foreign]]), 102); // all or nothing
    const written = await server.db.query(`SELECT count(*)::int AS n FROM receipt WHERE user_id = $1`, [bob.id]);
    expect(written.rows[0].n).toBe(0);
    await expectError(bob.call('chat:mark_as_delivered', [['missing']]), 110);
    await expectError(bob.call('chat:mark_as_read', [[{}]]), 108);
    await expectError(bob.call('chat:mark_as_read', []), 108);
    await expectError(eve.call('chat:get_receipt', [mid]), 102);
    await expectError(bob.call('chat:get_receipt', ['missing']), 110);
    await expectError(bob.call('chat:get_receipt', [42]), 108);
    await invariants(server);
  });
});

describe('record API: receipts and read markers', () => {
  test('a user may save their own receipt; it counts exactly like chat:mark_as_read', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const mid = await alice.send(cid, 'hello');
    const receipt = (user: ChatUser, extra: Record<string, unknown>) =>
      new Receipt({
        _id: `receipt/${receiptId(mid, user.id)}`,
        user_id: new skygear.Reference(`user/${user.id}`),
        message_id: new skygear.Reference(`message/${mid}`),
        ...extra,
      });
    await bob.client.publicDB.save(receipt(bob, { read_at: new Date('2001-01-01T00:00:00Z') }));
    expect(await status(alice, cid, mid)).toBe('some_read');
    expect(await unread(bob, cid)).toBe(0);
    expect(await marker(bob, cid)).toBe(mid);
    const [stored] = (await server.db.query(`SELECT read_at, delivered_at FROM receipt WHERE _id = $1`, [receiptId(mid, bob.id)])).rows;
    expect(stored.read_at.getTime()).toBeGreaterThan(Date.parse('2020-01-01')); // the server's time, not the client's
    expect(stored.delivered_at).toEqual(stored.read_at);
    await invariants(server);
    const before = await receiptTimes(server.db);
    await bob.client.publicDB.save(receipt(bob, { read_at: null, delivered_at: null })); // cannot unset
    assertReceiptTimesKept(before, await receiptTimes(server.db));
    await expectError(carol.client.publicDB.save(receipt(bob, { read_at: new Date() })), 102); // someone else's receipt
    await expectError(
      carol.client.publicDB.save(new Receipt({ user_id: new skygear.Reference(`user/${carol.id}`), message_id: new skygear.Reference(`message/${mid}`), read_at: new Date() })),
      108,
    ); // not the deterministic id
    await expectError(bob.client.publicDB.delete(receipt(bob, {})), 111);
    await invariants(server);
  });

  test('the owner may move last_read_message; others cannot write the row; counters are not writable', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    const m1 = await alice.send(cid, 'one');
    const m2 = await alice.send(cid, 'two');
    const query = new skygear.Query(UserConversation);
    query.equalTo('user', new skygear.Reference(`user/${bob.id}`));
    query.equalTo('conversation', new skygear.Reference(`conversation/${cid}`));
    const [row] = await bob.client.publicDB.query(query);
    expect(row.unread_count).toBe(2);
    row.last_read_message = new skygear.Reference(`message/${m1}`);
    row.unread_count = 999; // a stale or forged count is ignored when the marker moves
    const saved = await bob.client.publicDB.save(row);
    expect(saved.unread_count).toBe(1);
    expect(await status(alice, cid, m1)).toBe('some_read');
    await invariants(server);
    // Moving it backwards keeps the newer marker.
    row.last_read_message = new skygear.Reference(`message/${m2}`);
    await bob.client.publicDB.save(row);
    row.last_read_message = new skygear.Reference(`message/${m1}`);
    const kept = await bob.client.publicDB.save(row);
    expect(kept.last_read_message.id).toBe(`message/${m2}`);
    expect(kept.unread_count).toBe(0);
    await invariants(server);
    // Forging only the count is refused; so is writing someone else's row or moving the row.
    const fresh = await bob.client.publicDB.query(query);
    fresh[0].unread_count = 42;
    await expectError(bob.client.publicDB.save(fresh[0]), 108);
    const forged = new UserConversation({ _id: `user_conversation/${userConversationId(cid, bob.id)}`, last_read_message: new skygear.Reference(`message/${m1}`) });
    await expectError(carol.client.publicDB.save(forged), 102);
    const moved = new UserConversation({ _id: `user_conversation/${userConversationId(cid, bob.id)}`, conversation: new skygear.Reference('conversation/elsewhere') });
    await expectError(bob.client.publicDB.save(moved), 108);
    const created = new UserConversation({ _id: `user_conversation/${userConversationId(cid, 'x')}`, unread_count: 0 });
    await expectError(bob.client.publicDB.save(created), 111);
    await expectError(bob.client.publicDB.delete(fresh[0]), 111);
    await invariants(server);
  });
});
