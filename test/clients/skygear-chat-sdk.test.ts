
import { checkInvariants } from '../plugin/invariants';
import { eventually, startChatServer } from '../plugin/support';
import type { TestServer } from '../support/server';
import { SDK_VERSIONS, type SdkFeed, type SdkUser, sdkError, sdkUser, subscribeSdk } from './sdk-users';

/**
 * The chat plugin's own JS SDK as published on npm (skygear-chat 1.1.1, 1.3.4 and 1.7.0, unmodified),
 * every method of its container driven by three or four users against the server, checking what the
 * SDK's JSDoc promises: the records and fields it returns, unread counts, receipts, and the events
 * the other users' `subscribe` / typing handlers receive. All three versions share one server and
 * database, as an app's old and new clients would.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  await server?.close();
});

const invariants = () => checkInvariants(server.db);
const ids = (list: any[]) => list.map((r) => r._id).sort();
const byEvent = (type: string, event: string, id?: string) => (e: any) =>
  e.record_type === type && e.event_type === event && (id === undefined || e.record._id === id);

describe.each(SDK_VERSIONS)('skygear-chat $version', ({ version, pkg }) => {
  let alice: SdkUser, bob: SdkUser, carol: SdkUser, dave: SdkUser;
  let feeds: Record<'alice' | 'bob' | 'carol' | 'dave', SdkFeed>;

  beforeAll(async () => {
    [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => sdkUser(server, pkg, n)));
    feeds = { alice: await subscribeSdk(alice), bob: await subscribeSdk(bob), carol: await subscribeSdk(carol), dave: await subscribeSdk(dave) };
  }, 60_000);

  afterAll(() => {
    for (const user of [alice, bob, carol, dave]) user?.close();
  });

  test('conversations: create, direct, get, list, update, participants and admins', async () => {
    const conv = await alice.chat.createConversation([bob.record, carol.record], 'Trip', { place: 'Oslo' });
    expect(conv.recordType).toBe('conversation');
    expect(conv.title).toBe('Trip');
    expect(conv.metadata).toEqual({ place: 'Oslo' });
    expect([...conv.participant_ids].sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(conv.admin_ids).toEqual([alice.id]);
    const created = await feeds.bob.waitFor(() => feeds.bob.records, byEvent('conversation', 'create', conv._id), 'bob: conversation create');
    expect(created.record).toBeInstanceOf(bob.skygear.Record);
    expect(created.record.title).toBe('Trip');

    // options.admins (user records or ids) become admins.
    const withAdmins = await alice.chat.createConversation([bob.record], 'Admins', {}, { admins: [bob.record] });
    expect([...withAdmins.admin_ids].sort()).toEqual([alice.id, bob.id].sort());

    const direct = await alice.chat.createDirectConversation(dave.record, 'DM');
    expect(direct.distinct_by_participants).toBe(true);
    const duplicate = await sdkError(alice.chat.createDirectConversation(dave.record));
    expect(duplicate.code).toBe(108);
    expect(duplicate.info.conversation_id).toBe(direct._id);

    const got = await bob.chat.getConversation(conv._id);
    expect(got._id).toBe(conv._id);
    expect(got.unread_count).toBe(0);
    expect(got.title).toBe('Trip');
    const listed = await bob.chat.getConversations();
    expect(ids(listed)).toEqual(expect.arrayContaining([conv._id, withAdmins._id]));
    expect(listed.every((c: any) => c.recordType === 'conversation')).toBe(true);

    // updateConversation writes `meta`: it is the metadata (chat-api.md §6), announced to participants.
    await alice.chat.updateConversation(conv, 'Trip 2', { place: 'Bergen' });
    const updated = await carol.chat.getConversation(conv._id);
    expect(updated.title).toBe('Trip 2');
    expect(updated.metadata).toEqual({ place: 'Bergen' });
    await feeds.carol.waitFor(() => feeds.carol.records, (e) => byEvent('conversation', 'update', conv._id)(e) && e.record.title === 'Trip 2', 'carol: update');
    const stored = await server.db.query(`SELECT meta, metadata, _access FROM conversation WHERE _id = $1`, [conv._id]);
    expect(stored.rows[0].meta).toBeNull();
    expect(stored.rows[0]._access).toHaveLength(2); // the SDK's `_access: null` did not wipe the ACL

    const added = await alice.chat.addParticipants(conv, [dave.record]);
    expect(added.participant_ids).toContain(dave.id);
    await feeds.dave.waitFor(() => feeds.dave.records, byEvent('conversation', 'create', conv._id), 'dave: joined');
    const removed = await alice.chat.removeParticipants(conv, [dave.record]);
    expect(removed.participant_ids).not.toContain(dave.id);
    await feeds.dave.waitFor(() => feeds.dave.records, byEvent('conversation', 'delete', conv._id), 'dave: removed');

    // addAdmins of a user who is not a participant adds them as a participant too (the SDK's JSDoc).
    const promoted = await alice.chat.addAdmins(conv, [dave.record]);
    expect(promoted.participant_ids).toContain(dave.id);
    expect([...promoted.admin_ids].sort()).toEqual([alice.id, dave.id].sort());
    expect((await dave.chat.getConversation(conv._id)).unread_count).toBe(0);
    const demoted = await alice.chat.removeAdmins(conv, [dave.record]);
    expect(demoted.admin_ids).toEqual([alice.id]);
    expect(demoted.participant_ids).toContain(dave.id);
    await invariants();
  });

  test('messages: create (with an attachment), get, receipts, unread counts, edit, delete', async () => {
    const conv = await alice.chat.createConversation([bob.record, carol.record], 'Messages');
    const m1 = await alice.chat.createMessage(conv, 'hello', { kind: 'text' });
    expect(m1.recordType).toBe('message');
    expect(m1.body).toBe('hello');
    expect(m1.metadata).toEqual({ kind: 'text' });
    // Both field generations (chat-api.md §6): what the SDK reads and what seed-era code reads.
    expect(m1.conversation.id).toBe(conv.id);
    expect(m1.conversation_id.id).toBe(conv.id);
    expect(m1.message_status).toBe('delivered');
    expect(m1.conversation_status).toBe('delivered');
    expect(m1.revision).toBe(1);
    expect(m1.deleted).toBe(false);
    expect(typeof m1.seq).toBe('number');
    const seen = await feeds.bob.waitFor(() => feeds.bob.records, byEvent('message', 'create', m1._id), 'bob: message create');
    expect(seen.record.body).toBe('hello');
    expect(seen.record.message_status).toBe('delivered');

    const bytes = Buffer.from('not really a png');
    const asset = new alice.skygear.Asset({ name: 'pic.png', file: bytes, contentType: 'image/png' });
    const m2 = await alice.chat.createMessage(conv, 'picture', null, asset);
    expect(m2.metadata).toEqual({});
    expect(m2.attachment.contentType).toBe('image/png');
    const download = await fetch(m2.attachment.url, { signal: AbortSignal.timeout(30_000) });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    expect(await bob.chat.getUnreadCount()).toEqual({ conversation: 1, message: 2 });

    // getMessages: newest first, Message records; it marks them delivered by itself. 1.1.1's
    // beforeTime is not optional (its JSDoc example passes the current time): without it the SDK
    // sends `undefined`, which the skygear 1.7 client it runs on refuses to encode.
    const page = version === '1.1.1' ? await bob.chat.getMessages(conv, 10, new Date(Date.now() + 60_000)) : await bob.chat.getMessages(conv, 10);
    expect(page.map((m: any) => m._id)).toEqual([m2._id, m1._id]);
    expect(page[0].recordType).toBe('message');
    expect(page[0].attachment.url).toContain(m2.attachment.name);
    await eventually(async () => {
      const receipts = await alice.chat.getMessageReceipts(m1);
      return receipts.some((r: any) => r.user === bob.id && r.delivered_at && !r.read_at);
    }, 'bob: delivered by getMessages');
    const older = await bob.chat.getMessages(conv, 10, m2.createdAt);
    expect(older.map((m: any) => m._id)).toEqual([m1._id]);

    await bob.chat.markAsDelivered([m2]);
    await bob.chat.markAsRead([m1]);
    const receipts = await alice.chat.getMessageReceipts(m1);
    const bobs = receipts.find((r: any) => r.user === bob.id);
    expect(bobs.recordType).toBe('receipt');
    expect(bobs.read_at).toEqual(expect.any(String));
    expect(bobs.delivered_at).toEqual(expect.any(String));
    const status = await feeds.alice.waitFor(
      () => feeds.alice.records,
      (e) => byEvent('message', 'update', m1._id)(e) && e.record.message_status === 'some_read',
      'alice: some_read',
    );
    expect(status.record.conversation_status).toBe('some_read');
    expect(await bob.chat.getUnreadCount()).toEqual({ conversation: 1, message: 1 });

    // markAsLastMessageRead saves the user's user_conversation (without waiting): unread goes to 0.
    const marked = await carol.chat.markAsLastMessageRead(conv, m2);
    expect(marked.last_read_message._id).toBe(m2._id);
    const carolsView = await eventually(async () => {
      const view = await carol.chat.getConversation(conv._id);
      return view.unread_count === 0 ? view : undefined;
    }, 'carol: read up to the last message');
    expect(carol.chat.getUnreadMessageCount(carolsView)).toBe(0);

    // Edit: the author only; participants see the change.
    const edited = await alice.chat.editMessage(m1, 'hello, edited');
    expect(edited.body).toBe('hello, edited');
    expect(edited.revision).toBe(2);
    expect(edited.edited_by.id).toBe(`user/${alice.id}`);
    await feeds.bob.waitFor(() => feeds.bob.records, (e) => byEvent('message', 'update', m1._id)(e) && e.record.body === 'hello, edited', 'bob: edit');
    const [bobsCopy] = await bob.chat.getMessages(conv, 1, m2.createdAt);
    expect((await sdkError(bob.chat.editMessage(bobsCopy, 'not mine'))).code).toBe(102);

    // Delete: the SDK returns the deleted message; participants get `delete`.
    const deleted = await alice.chat.deleteMessage(m2);
    expect(deleted.recordType).toBe('message');
    expect(deleted._id).toBe(m2._id);
    expect(deleted.deleted).toBe(true);
    expect(deleted.body).toBeUndefined();
    await feeds.carol.waitFor(() => feeds.carol.records, byEvent('message', 'delete', m2._id), 'carol: delete');
    expect((await bob.chat.getMessages(conv, 10, new Date(Date.now() + 60_000))).map((m: any) => m._id)).toEqual([m1._id]);
    // The conversation embeds its last message as a plain record object, as 1.7 did.
    expect((await bob.chat.getConversation(conv._id)).last_message._id).toBe(m1.id);
    expect(await bob.chat.getUnreadCount()).toEqual({ conversation: 0, message: 0 });
    await invariants();
  });

  test('typing: sendTypingIndicator reaches the per-conversation and the all-conversation handlers', async () => {
    const conv = await alice.chat.createConversation([bob.record], 'Typing');
    const perConversation: any[] = [];
    const handler = (e: any) => perConversation.push(e);
    bob.chat.subscribeTypingIndicator(conv, handler);
    await eventually(async () => {
      alice.chat.sendTypingIndicator(conv, 'begin');
      await new Promise((resolve) => setTimeout(resolve, 100));
      return perConversation.length > 0;
    }, 'bob: typing');
    expect(perConversation[0][`user/${alice.id}`]).toEqual({ event: 'begin', at: expect.any(String) });
    expect(new Date(perConversation[0][`user/${alice.id}`].at).getTime()).not.toBeNaN();
    const all = await feeds.bob.waitFor(() => feeds.bob.typing, (e) => e[conv.id] !== undefined, 'bob: all typing');
    expect(all[conv.id][`user/${alice.id}`].event).toBe('begin');

    bob.chat.unsubscribeTypingIndicator(conv, handler);
    const before = perConversation.length;
    alice.chat.sendTypingIndicator(conv, 'finished');
    await feeds.bob.waitFor(() => feeds.bob.typing, (e) => e[conv.id]?.[`user/${alice.id}`]?.event === 'finished', 'bob: finished');
    expect(perConversation).toHaveLength(before);
  });

  test('leave, delete and unsubscribe', async () => {
    const conv = await alice.chat.createConversation([bob.record, carol.record], 'Short-lived');
    expect(await carol.chat.leaveConversation(conv)).toBe(true);
    await feeds.carol.waitFor(() => feeds.carol.records, byEvent('conversation', 'delete', conv._id), 'carol: left');
    expect((await sdkError(carol.chat.getConversation(conv._id))).code).toBe(102);
    expect((await sdkError(bob.chat.deleteConversation(conv))).code).toBe(102);
    expect(await alice.chat.deleteConversation(conv)).toBe(true);
    await feeds.bob.waitFor(() => feeds.bob.records, byEvent('conversation', 'delete', conv._id), 'bob: deleted');
    expect((await sdkError(bob.chat.getConversation(conv._id))).code).toBe(110);

    const other = await alice.chat.createConversation([dave.record], 'After unsubscribe');
    await feeds.dave.waitFor(() => feeds.dave.records, byEvent('conversation', 'create', other._id), 'dave: create');
    dave.chat.unsubscribe();
    const count = feeds.dave.records.length;
    const m = await alice.chat.createMessage(other, 'nobody listens');
    await feeds.alice.waitFor(() => feeds.alice.records, byEvent('message', 'create', m._id), 'alice: her own message');
    expect(feeds.dave.records).toHaveLength(count);
    await invariants();
  });
});

/**
 * Both generations on one database at the same time: a seed-era app (record API only: conversation
 * saved with participant_ids, messages with conversation_id, the read marker on user_conversation)
 * and an app on the 1.7 SDK talk in one conversation, and each reads the other's messages under its
 * own field names.
 */
test('a seed-era record client and the 1.7 SDK in one conversation', async () => {
  const { signupUsers } = await import('../plugin/support');
  const [seed] = await signupUsers(server, 1, 'seed');
  const sdk = await sdkUser(server, 'skygear-chat', 'sdk17');
  try {
    const skygear = seed.client;
    const Conversation = skygear.Record.extend('conversation');
    const Message = skygear.Record.extend('message');
    const UserConversation = skygear.Record.extend('user_conversation');
    const conversation = await skygear.publicDB.save(new Conversation({ title: 'Mixed', participant_ids: [seed.id, sdk.id], admin_ids: [seed.id] }));
    const cid = conversation._id;

    await skygear.privateDB.save(new Message({ body: 'from a seed client', conversation_id: new skygear.Reference(`conversation/${cid}`), metadata: {} }));
    const sdkConversation = await sdk.chat.getConversation(cid);
    expect(sdkConversation.unread_count).toBe(1);
    const [fromSeed] = await sdk.chat.getMessages(sdkConversation, 10);
    expect(fromSeed.body).toBe('from a seed client');
    expect(fromSeed.conversation.id).toBe(`conversation/${cid}`);
    expect(fromSeed.message_status).toBe('delivered');

    const fromSdk = await sdk.chat.createMessage(sdkConversation, 'from the 1.7 SDK');
    const query = new skygear.Query(Message).equalTo('conversation_id', new skygear.Reference(`conversation/${cid}`));
    const seen = await skygear.publicDB.query(query);
    expect(seen.map((m: any) => m.body)).toEqual(['from the 1.7 SDK']); // the seed message sits in its sender's private DB
    expect(seen[0].conversation_status).toBe('delivered');

    // The seed client reads by moving its marker; the SDK user's message turns all_read for both names.
    const [own] = await skygear.publicDB.query(new skygear.Query(UserConversation).equalTo('conversation', new skygear.Reference(`conversation/${cid}`)));
    own.last_read_message = new skygear.Reference(`message/${fromSdk._id}`);
    const saved = await skygear.publicDB.save(own);
    expect(saved.unread_count).toBe(0);
    const [after] = await sdk.chat.getMessages(sdkConversation, 1);
    expect([after.message_status, after.conversation_status]).toEqual(['all_read', 'all_read']);
    // getMessages marks what it fetched as delivered without waiting: let that request finish.
    await eventually(async () => {
      const res = await server.db.query(`SELECT 1 FROM receipt WHERE message_id = $1 AND user_id = $2 AND delivered_at IS NOT NULL`, [after._id, sdk.id]);
      return res.rows.length > 0;
    }, 'the SDK marking the page delivered');
    await checkInvariants(server.db);
  } finally {
    seed.close();
    sdk.close();
  }
});
