
import path from 'node:path';
import { checkInvariants } from '../plugin/invariants';
import { type ChatUser, bareId, eventually, expectError, signupUsers, startChatServer } from '../plugin/support';
import { closeAllClients } from '../support/client';
import { callAction } from '../support/http';
import { type ServerOnSkygearNode, type SkygearNode, startServerOnSkygearNode } from '../support/skygear-node';
import type { TestServer } from '../support/server';

const skygear: any = require('skygear');

/**
 * Handlers written with the chat SDK's server-side helpers (`require('skygear-chat/cloud')` from npm,
 * unmodified) receive the 1.7 hook arguments — full records, the actor as the context user — after
 * each operation commits, with the module loaded in process or by the real skygear-node runtime. The
 * fixture module writes what each handler got into `chat_hook_call` records.
 */
const HOOK_MODULE = path.resolve(__dirname, '../fixtures/plugins/chat-cloud-hooks/index.js');

interface HookCall {
  hook: string;
  args: any;
  contextUser: string;
}

async function hookCalls(server: TestServer, hook: string): Promise<HookCall[]> {
  const exists = await server.db.query(`SELECT to_regclass('chat_hook_call') AS t`);
  if (!exists.rows[0].t) return [];
  const res = await server.db.query(`SELECT hook, args, context_user FROM chat_hook_call WHERE hook = $1 ORDER BY _created_at`, [hook]);
  return res.rows.map((r) => ({ hook: r.hook, args: JSON.parse(r.args), contextUser: r.context_user }));
}

const waitForCall = (server: TestServer, hook: string, match: (c: HookCall) => boolean, timeoutMs = 15_000) =>
  eventually(async () => (await hookCalls(server, hook)).find(match), `the ${hook} handler`, timeoutMs);

const usernames = (records: any[]) => records.map((r) => r.username).sort();

describe('skygear-chat/cloud handlers, loaded in process', () => {
  let server: TestServer;
  let alice: ChatUser, bob: ChatUser, carol: ChatUser;

  beforeAll(async () => {
    server = await startChatServer({ loadModules: [HOOK_MODULE] });
    [alice, bob, carol] = await signupUsers(server, 3, 'hooks');
  });

  afterAll(async () => {
    closeAllClients();
    await server?.close();
  });

  test('every hook gets the 1.7 arguments, as the actor, after the operation', async () => {
    const cid = await alice.createConversation([bob], 'Hooked');
    const created = await waitForCall(server, 'after_conversation_created', (c) => c.args.conversation._id === `conversation/${cid}`);
    expect(created.contextUser).toBe(alice.id);
    expect(created.args.conversation.title).toBe('Hooked');
    expect(usernames(created.args.participants)).toEqual([alice.name, bob.name].sort());
    expect(created.args.participants[0]).toMatchObject({ _id: expect.stringMatching(/^user\//), _created_at: expect.any(String) });

    const mid = await bob.send(cid, 'hello hooks');
    const sent = await waitForCall(server, 'after_message_sent', (c) => c.args.message._id === `message/${mid}`);
    expect(sent.contextUser).toBe(bob.id);
    expect(sent.args.message).toMatchObject({ body: 'hello hooks', message_status: 'delivered', conversation_status: 'delivered' });
    expect(sent.args.message.conversation).toEqual({ $type: 'ref', $id: `conversation/${cid}` });
    expect(sent.args.message.conversation_id).toEqual({ $type: 'ref', $id: `conversation/${cid}` });
    expect(sent.args.conversation._id).toBe(`conversation/${cid}`);
    expect(usernames(sent.args.participants)).toEqual([alice.name, bob.name].sort());

    const Message = skygear.Record.extend('message');
    const [stored] = (await bob.call('chat:get_messages', [cid, 1])).results;
    const edit = new Message(stored);
    edit.body = 'hello hooks, edited';
    await bob.client.publicDB.save(edit);
    const updated = await waitForCall(server, 'after_message_updated', (c) => c.args.message._id === `message/${mid}`);
    expect(updated.args.message).toMatchObject({ body: 'hello hooks, edited', revision: 2 });
    expect(updated.contextUser).toBe(bob.id);

    await alice.call('chat:delete_message', [mid]); // the admin
    const deleted = await waitForCall(server, 'after_message_deleted', (c) => c.args.message._id === `message/${mid}`);
    expect(deleted.args.message.deleted).toBe(true);
    expect(deleted.contextUser).toBe(alice.id);

    await bob.call('chat:typing', [cid, 'begin']);
    const typing = await waitForCall(server, 'typing_started', (c) => c.args.conversation._id === `conversation/${cid}`);
    expect(typing.args.event).toBe('begin');
    expect(typing.contextUser).toBe(bob.id);

    await alice.call('chat:add_participants', [cid, [carol.id]]);
    const added = await waitForCall(server, 'after_users_added_to_conversation', (c) => c.args.conversation._id === `conversation/${cid}`);
    expect(usernames(added.args.new_users)).toEqual([carol.name]);
    expect(usernames(added.args.participants)).toEqual([alice.name, bob.name, carol.name].sort());

    await alice.call('chat:remove_participants', [cid, [bob.id]]);
    const removed = await waitForCall(server, 'after_users_removed_from_conversation', (c) => c.args.conversation._id === `conversation/${cid}`);
    expect(usernames(removed.args.old_users)).toEqual([bob.name]);
    expect(usernames(removed.args.participants)).toEqual([alice.name, carol.name].sort());

    const Conversation = skygear.Record.extend('conversation');
    await alice.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'Renamed' }));
    const renamed = await waitForCall(server, 'after_conversation_updated', (c) => c.args.conversation.title === 'Renamed');
    expect(renamed.contextUser).toBe(alice.id);

    await alice.call('chat:delete_conversation', [cid]);
    const gone = await waitForCall(server, 'after_conversation_deleted', (c) => c.args.conversation._id === `conversation/${cid}`);
    expect(usernames(gone.args.participants)).toEqual([alice.name, carol.name].sort());
    await checkInvariants(server.db);
  });

  test('a client cannot call a hook lambda itself (102); the master key can', async () => {
    const forged = { message: { _id: 'message/forged', body: 'forged' }, conversation: { _id: 'conversation/forged' }, participants: [] };
    await expectError(alice.call('chat:after_message_sent_hook', forged), 102);
    const anonymous = await callAction(server, 'chat:after_message_sent_hook', { args: forged }, { apiKey: server.config.apiKey });
    expect(anonymous.json.error.code).toBe(102);
    expect((await hookCalls(server, 'after_message_sent')).filter((c) => c.args.message._id === 'message/forged')).toEqual([]);
    const master = await callAction(server, 'chat:after_message_sent_hook', { args: forged, _user_id: alice.id }, { apiKey: server.config.masterKey });
    expect(master.json.result).toEqual({ status: 'ok' });
    await waitForCall(server, 'after_message_sent', (c) => c.args.message._id === 'message/forged');
  });
});

/**
 * The same module and the chat plugin both loaded by the real skygear-node runtime (one process, as
 * LOAD_MODULES lists them), reached over the plugin HTTP transport. Always on PostgreSQL.
 */
describe('skygear-chat/cloud handlers under skygear-node (PostgreSQL)', () => {
  let pair: ServerOnSkygearNode;
  let runtime: SkygearNode;
  let server: TestServer;

  beforeAll(async () => {
    pair = await startServerOnSkygearNode({ module: `${path.resolve(__dirname, '../../src/plugin/index.ts')},${HOOK_MODULE}`, typescript: true });
    ({ runtime, server } = pair);
  }, 120_000);

  afterAll(async () => {
    closeAllClients();
    await pair?.close();
  });

  test('created, sent and deleted reach the handlers with the 1.7 arguments', async () => {
    try {
      const [alice, bob] = await signupUsers(server, 2, 'nodehooks');
      const cid = await alice.createConversation([bob], 'Over skygear-node');
      const created = await waitForCall(server, 'after_conversation_created', (c) => c.args.conversation._id === `conversation/${cid}`, 30_000);
      expect(usernames(created.args.participants)).toEqual([alice.name, bob.name].sort());
      const mid = await bob.send(cid, 'hello from node');
      const sent = await waitForCall(server, 'after_message_sent', (c) => c.args.message._id === `message/${mid}`, 30_000);
      expect(sent.contextUser).toBe(bob.id);
      expect(sent.args.message.conversation).toEqual({ $type: 'ref', $id: `conversation/${cid}` });
      // An edit through the record API: the out-of-process before-save checks it, the after-save (run
      // once the server committed) keeps the history and calls the hook.
      const Message = skygear.Record.extend('message');
      const [stored] = (await bob.call('chat:get_messages', [cid, 1])).results;
      await bob.client.publicDB.save(Object.assign(new Message(stored), { body: 'edited over node' }));
      const updated = await waitForCall(server, 'after_message_updated', (c) => c.args.message._id === `message/${mid}`, 30_000);
      expect(updated.args.message).toMatchObject({ body: 'edited over node', revision: 2 });
      const history = await server.db.query(`SELECT body, revision FROM message_history WHERE parent = $1`, [mid]);
      expect(history.rows).toEqual([{ body: 'hello from node', revision: 1 }]);
      await expectError(alice.client.publicDB.save(Object.assign(new Message(stored), { body: 'not hers' })), 102);
      await bob.call('chat:delete_message', [mid]);
      const deleted = await waitForCall(server, 'after_message_deleted', (c) => bareId(c.args.message._id) === mid, 30_000);
      expect(deleted.args.message.deleted).toBe(true);
      await expectError(alice.call('chat:after_message_sent_hook', { message: {}, conversation: {}, participants: [] }), 102);
      await checkInvariants(server.db);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- skygear-node output ---\n${runtime.output()}`);
    }
  }, 120_000);
});
