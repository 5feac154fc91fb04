
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { type ChatUser, type Feed, expectError, invariants, recordEventOf, signupUsers, startChatServer, subscribeFeed } from './support';

const skygear: any = require('skygear');
const Conversation = skygear.Record.extend('conversation');

/**
 * Realtime through the unmodified client's pubsub: each user saves a user_channel record in their
 * private database and subscribes to its name; events arrive for conversations they are in, and
 * nothing for the others.
 */
let server: TestServer;
let alice: ChatUser, bob: ChatUser, carol: ChatUser, dave: ChatUser, eve: ChatUser;
let feeds: Record<string, Feed>;

beforeAll(async () => {
  server = await startChatServer();
  [alice, bob, carol, dave, eve] = await signupUsers(server, 5);
  feeds = {};
  for (const user of [alice, bob, carol, dave, eve]) feeds[user.name] = await subscribeFeed(user);
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const about = (cid: string) => (e: any) =>
  JSON.stringify(e).includes(cid);

test('conversation and message events reach exactly the participants', async () => {
  const cid = await alice.createConversation([bob, carol], 'live');
  for (const user of [alice, bob, carol]) {
    const e = await feeds[user.name].waitFor(recordEventOf('create', 'conversation', cid), `${user.name}: conversation create`);
    expect(e).toEqual({ event: 'create', data: { record_type: 'conversation', event_type: 'create', type: 'record', record: expect.objectContaining({ _id: `conversation/${cid}`, title: 'live' }) } });
  }

  const mid = await bob.send(cid, 'hello everyone');
  for (const user of [alice, bob, carol]) {
    const e = await feeds[user.name].waitFor(recordEventOf('create', 'message', mid), `${user.name}: message create`);
    expect(e.data.record).toMatchObject({ body: 'hello everyone', conversation_status: 'delivered', _ownerID: bob.id });
    expect(e.data.record.conversation_id).toEqual({ $type: 'ref', $id: `conversation/${cid}` });
  }

  await carol.call('chat:mark_as_read', [[mid]]);
  for (const user of [alice, bob, carol]) {
    const e = await feeds[user.name].waitFor(
      (x) => recordEventOf('update', 'message', mid)(x) && x.data.record.conversation_status === 'some_read',
      `${user.name}: status update`,
    );
    expect(e.data.record.conversation_status).toBe('some_read');
  }

  await alice.call('chat:add_participants', [cid, [dave.id]]);
  await feeds[dave.name].waitFor(recordEventOf('create', 'conversation', cid), 'dave: create on join');
  for (const user of [alice, bob, carol]) {
    const e = await feeds[user.name].waitFor(
      (x) => recordEventOf('update', 'conversation', cid)(x) && x.data.record.participant_ids.includes(dave.id),
      `${user.name}: update on join`,
    );
    expect(e.data.record.participant_count).toBe(4);
  }

  // A title change through the record API is announced too (fixes C7).
  await alice.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'renamed' }));
  for (const user of [alice, bob, carol, dave]) {
    await feeds[user.name].waitFor((x) => recordEventOf('update', 'conversation', cid)(x) && x.data.record.title === 'renamed', `${user.name}: rename`);
  }

  await alice.call('chat:remove_participants', [cid, [carol.id]]);
  await feeds[carol.name].waitFor(recordEventOf('delete', 'conversation', cid), 'carol: delete on removal');
  await feeds[bob.name].waitFor(
    (x) => recordEventOf('update', 'conversation', cid)(x) && !x.data.record.participant_ids.includes(carol.id),
    'bob: update on removal',
  );

  await dave.call('chat:leave_conversation', [cid]);
  await feeds[dave.name].waitFor(recordEventOf('delete', 'conversation', cid), 'dave: delete on leave');

  // Carol is out: a new message does not reach her.
  const after = await alice.send(cid, 'carol is gone');
  await feeds[bob.name].waitFor(recordEventOf('create', 'message', after), 'bob: message after removal');

  await alice.call('chat:delete_conversation', [cid]);
  for (const user of [alice, bob]) await feeds[user.name].waitFor(recordEventOf('delete', 'conversation', cid), `${user.name}: delete`);

  // Eve was never in it: a sentinel event of her own arrives, and nothing about the conversation did.
  const sentinel = await eve.createConversation([], 'eve alone');
  await feeds[eve.name].waitFor(recordEventOf('create', 'conversation', sentinel), 'eve: sentinel');
  expect(feeds[eve.name].matching(about(cid))).toEqual([]);
  const carolSentinel = await carol.createConversation([], 'carol alone');
  await feeds[carol.name].waitFor(recordEventOf('create', 'conversation', carolSentinel), 'carol: sentinel');
  expect(feeds[carol.name].matching(recordEventOf('create', 'message', after))).toEqual([]);
  await invariants(server);
});

test('typing: every participant gets the typing payload; non-participants cannot send it', async () => {
  const cid = await alice.createConversation([bob], 'typing');
  const at = new Date('2024-05-06T07:08:09.123Z');
  expect(await bob.call('chat:typing', [cid, 'begin', at])).toEqual({ status: 'OK' });
  for (const user of [alice, bob]) {
    const e = await feeds[user.name].waitFor((x) => x.event === 'typing' && x.data[`conversation/${cid}`], `${user.name}: typing`);
    expect(e).toEqual({ event: 'typing', data: { [`conversation/${cid}`]: { [`user/${bob.id}`]: { event: 'begin', at: at.toISOString() } } } });
  }
  // `at` as the seed's microsecond string, a $date and an offset string (fixes B6); absent = now.
  await alice.call('chat:typing', [cid, 'pause', '2024-05-06T07:08:09.123456Z']);
  await alice.call('chat:typing', { conversation_id: cid, event: 'finished', at: { $type: 'date', $date: '2024-05-06T07:08:10Z' } });
  await alice.call('chat:typing', [cid, 'begin', '2024-05-06T15:08:11+08:00']);
  await alice.call('chat:typing', [`conversation/${cid}`, 'pause']);
  const typed = (evt: string, when?: string) => (x: any) =>
    x.event === 'typing' && x.data[`conversation/${cid}`]?.[`user/${alice.id}`]?.event === evt && (!when || x.data[`conversation/${cid}`][`user/${alice.id}`].at === when);
  await feeds[bob.name].waitFor(typed('pause', '2024-05-06T07:08:09.123Z'), 'pause');
  await feeds[bob.name].waitFor(typed('finished', '2024-05-06T07:08:10.000Z'), 'finished');
  await feeds[bob.name].waitFor(typed('begin', '2024-05-06T07:08:11.000Z'), 'begin with offset');
  await expectError(eve.call('chat:typing', [cid, 'begin', new Date()]), 102);
  await expectError(alice.call('chat:typing', [cid, 'shouting', new Date()]), 108);
  await expectError(alice.call('chat:typing', [cid, 'begin', 'tomorrow']), 108);
  await expectError(alice.call('chat:typing', ['no-such', 'begin']), 110);
  const sentinel = await eve.createConversation([], 'eve typing sentinel');
  await feeds[eve.name].waitFor(recordEventOf('create', 'conversation', sentinel), 'eve: sentinel');
  expect(feeds[eve.name].matching((x) => x.event === 'typing')).toEqual([]);
});
