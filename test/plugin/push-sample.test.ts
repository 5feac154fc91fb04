
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentTx } from '../../src/server/db/tx-scope';
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { type ChatUser, PLUGIN_PATH, bareId, eventually, invariants, signupUsers, startChatServer } from './support';

/**
 * The README's push-notification sample, run as written: the code block between the push-sample
 * markers of README.md is written to a module (only its package names are pointed
 * at this checkout) and loaded after the chat plugin. No push provider is configured, so the server
 * stores each push in `_push_notification`.
 *
 * Also the chat extension hooks the package exports.
 */
const chat = require(PLUGIN_PATH);
const skygear: any = require('skygear');

let server: TestServer;
let sampleDir: string;

async function sampleModule(): Promise<string> {
  const doc = await fs.readFile(path.resolve(__dirname, '../../README.md'), 'utf8');
  const block = /<!-- push-sample:begin -->\s*```js\n([\s\S]*?)```\s*<!-- push-sample:end -->/.exec(doc);
  if (!block) throw new Error('the push sample block is missing from README.md');
  // The module lives in a temp directory, outside this checkout's node_modules: point its requires here.
  const code = block[1]
    .replace(/require\('skygear-chat-ts'\)/g, `require(${JSON.stringify(PLUGIN_PATH)})`)
    .replace(/require\('skygear-chat\/cloud'\)/g, `require(${JSON.stringify(require.resolve('skygear-chat/cloud'))})`);
  sampleDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-push-sample-'));
  const file = path.join(sampleDir, 'push-sample.js');
  await fs.writeFile(file, code);
  return file;
}

beforeAll(async () => {
  server = await startChatServer({ loadModules: [await sampleModule()] });
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
  if (sampleDir) await fs.rm(sampleDir, { recursive: true, force: true });
});

async function pushesFor(user: ChatUser): Promise<any[]> {
  const res = await server.db.query(`SELECT payload FROM _push_notification WHERE target = $1 ORDER BY created_at`, [`user:${user.id}`]);
  return res.rows.map((r) => r.payload.notification);
}

test('the push sample notifies every other participant with their unread badge', async () => {
  const [alice, bob, carol] = await signupUsers(server, 3, 'push');
  await server.db.query(`UPDATE "user" SET name = 'Alice' WHERE _id = $1`, [alice.id]);
  const other = await carol.createConversation([bob], '');
  await carol.send(other, 'earlier'); // bob: 1 unread elsewhere → badge 2 below
  await eventually(async () => (await pushesFor(bob)).length === 1, 'the first push');
  const cid = await alice.createConversation([bob, carol], 'Trip');
  await alice.send(cid, 'hello');

  const bobs = await eventually(async () => ((await pushesFor(bob)).length === 2 ? pushesFor(bob) : null), "bob's push");
  expect(bobs[1].apns).toEqual({ aps: { alert: 'Alice@Trip: hello', sound: 'default', badge: 2 }, from: 'skygear-chat', operation: 'notification' });
  expect(bobs[1].gcm).toEqual({ notification: { title: 'Alice', body: 'hello' } });
  const carols = await eventually(async () => ((await pushesFor(carol)).length === 1 ? pushesFor(carol) : null), "carol's push");
  expect(carols[0].apns.aps).toEqual({ alert: 'Alice@Trip: hello', sound: 'default', badge: 1 });
  // No title: "<name>: <body>" (carol has no name, so her username is used).
  expect(bobs[0].apns.aps.alert).toBe(`${carol.name}: earlier`);
  expect(await pushesFor(alice)).toEqual([]);
  await invariants(server);
});

describe('chat extension hooks', () => {
  test('listeners get what happened, after commit; a failing one harms nothing', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3, 'hooks');
    const seen: Array<[string, any]> = [];
    const offs = [
      chat.afterConversationCreated((e: any) => seen.push(['created', e])),
      chat.afterUsersAdded((e: any) => seen.push(['added', e])),
      chat.afterUsersRemoved((e: any) => seen.push(['removed', e])),
      chat.afterConversationUpdated((e: any) => seen.push(['updated', e])),
      chat.afterConversationDeleted((e: any) => seen.push(['deleted', e])),
      chat.typingStarted((e: any) => seen.push(['typing', e])),
      chat.afterMessageUpdated((e: any) => seen.push(['edited', e])),
      chat.afterMessageDeleted((e: any) => seen.push(['message deleted', e])),
      chat.afterMessageSent(async (e: any) => {
        // After commit: another connection can already read the message and the raised count.
        const res = await server.db.query(`SELECT unread_count FROM user_conversation WHERE "user" = $1 AND conversation = $2`, [bob.id, bareId(e.conversation._id)]);
        seen.push(['sent', { ...e, bobUnread: res.rows[0]?.unread_count, inTransaction: currentTx() !== undefined }]);
      }),
      chat.afterMessageSent(() => {
        throw new Error('a broken listener');
      }),
    ];
    try {
      const cid = await alice.createConversation([bob], 'hooks');
      await alice.call('chat:add_participants', [cid, [carol.id]]);
      await alice.call('chat:add_admins', [cid, [bob.id]]);
      await bob.call('chat:typing', [cid, 'begin']);
      const mid = await bob.send(cid, 'hi');
      const Message = skygear.Record.extend('message');
      const [stored] = (await bob.call('chat:get_messages', [cid, 1])).results;
      await bob.client.publicDB.save(Object.assign(new Message(stored), { body: 'hi, edited' }));
      await alice.call('chat:delete_message', [mid]);
      await alice.send(cid, 'for bob');
      await carol.call('chat:leave_conversation', [cid]);
      await alice.call('chat:delete_conversation', [cid]);
      await eventually(async () => seen.some(([k]) => k === 'deleted'), 'the delete hook');

      const of = (kind: string) => seen.filter(([k]) => k === kind).map(([, e]) => e);
      expect(of('created')).toHaveLength(1);
      expect(of('created')[0]).toMatchObject({ actorId: alice.id, conversation: { _id: `conversation/${cid}`, title: 'hooks' } });
      expect(of('created')[0].participantIds.sort()).toEqual([alice.id, bob.id].sort());
      expect(of('added')[0]).toMatchObject({ addedIds: [carol.id], actorId: alice.id });
      expect(of('updated')[0].conversation.admin_ids.sort()).toEqual([alice.id, bob.id].sort());
      expect(of('typing')[0]).toMatchObject({ userId: bob.id, event: 'begin', participantIds: expect.arrayContaining([alice.id, bob.id, carol.id]) });
      const sent = of('sent');
      expect(sent.map((e) => e.message._id)).toContain(`message/${mid}`);
      expect(sent.find((e) => e.message.body === 'for bob')).toMatchObject({ senderId: alice.id, bobUnread: 1 });
      // Record-API sends run their hooks inside the save's transaction; the listener runs after COMMIT.
      expect(sent.map((e) => e.inTransaction)).toEqual([false, false]);
      expect(of('removed').map((e) => e.removedIds)).toEqual([[carol.id], expect.arrayContaining([alice.id, bob.id])]);
      expect(of('deleted')).toHaveLength(1);
      expect(of('deleted')[0].participantIds.sort()).toEqual([alice.id, bob.id].sort()); // those it had
      expect(of('edited')[0]).toMatchObject({ actorId: bob.id, message: { _id: `message/${mid}`, body: 'hi, edited', revision: 2 } });
      expect(of('message deleted')[0]).toMatchObject({ actorId: alice.id, message: { _id: `message/${mid}`, deleted: true } });
      // The push sample (loaded in this server) runs in the background: let its last push finish.
      await eventually(async () => (await pushesFor(bob)).some((p) => p.gcm.notification.body === 'for bob'), 'the push of the last message');
      await invariants(server);
    } finally {
      offs.forEach((off: () => void) => off());
    }
  });

  test('clients cannot trigger chat hooks (fixes A3): registered hook lambdas are master-only, the rest do not exist', async () => {
    const [alice] = await signupUsers(server, 1, 'nohook');
    // The push sample registered chat:after_message_sent_hook through skygear-chat/cloud.
    for (const [name, code] of [['chat:after_message_sent_hook', 102], ['chat:typing_started_hook', 117], ['chat:after_conversation_created_hook', 117]] as const) {
      const err: any = await alice.call(name, {}).then(() => null, (e: any) => e);
      expect(err?.error?.code).toBe(code);
    }
  });
});
