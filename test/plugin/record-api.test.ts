
import { randomUUID } from 'node:crypto';
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { type ChatUser, expectError, invariants, signupUsers, startChatServer } from './support';

const skygear: any = require('skygear');
const Conversation = skygear.Record.extend('conversation');
const Message = skygear.Record.extend('message');

/**
 * The record API for seed-era clients: conversations created and edited by saving the record, and
 * the role ACLs that keep non-participants out of conversations and messages.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const newConversation = (attrs: Record<string, unknown>) => new Conversation({ _id: `conversation/${randomUUID()}`, ...attrs });

async function queryConversation(user: ChatUser, cid: string): Promise<any[]> {
  const q = new skygear.Query(Conversation);
  q.equalTo('_id', cid);
  return Array.from(await user.client.publicDB.query(q));
}

async function queryMessages(user: ChatUser, cid: string): Promise<any[]> {
  const q = new skygear.Query(Message);
  q.equalTo('conversation_id', new skygear.Reference(`conversation/${cid}`));
  return Array.from(await user.client.publicDB.query(q));
}

describe('conversation records', () => {
  test('seed-style create: the caller is added, admins default to all participants, rows and roles follow', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const saved = await alice.client.publicDB.save(newConversation({ title: 'seed', participant_ids: [bob.id, carol.id], metadata: { a: 1 } }));
    expect(saved.participant_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(saved.admin_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(saved.participant_count).toBe(3);
    expect(saved.distinct_by_participants).toBe(false);
    await invariants(server);
    expect(await queryConversation(bob, saved._id)).toHaveLength(1);
    const view = await carol.call('chat:get_conversation', [saved._id]);
    expect(view.conversation.title).toBe('seed');
  });

  test('a lambda and the equivalent record save end in the same state', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const viaLambda = await alice.createConversation([bob, carol], 'same', {});
    const viaRecord = await alice.client.publicDB.save(newConversation({ title: 'same', participant_ids: [alice.id, bob.id, carol.id], admin_ids: [alice.id] }));
    const shape = async (cid: string) => {
      const c = (await server.db.query(`SELECT title, admin_ids, participant_count, distinct_by_participants, metadata, deleted FROM conversation WHERE _id = $1`, [cid])).rows[0];
      const rows = (await server.db.query(`SELECT "user", unread_count, _owner_id FROM user_conversation WHERE conversation = $1 ORDER BY "user"`, [cid])).rows;
      const roles = (await server.db.query(`SELECT auth_id, replace(role_id, $1, '') AS role FROM _auth_role WHERE role_id LIKE '%' || $1 ORDER BY 1, 2`, [cid])).rows;
      return { c, rows, roles };
    };
    expect(await shape(viaRecord._id)).toEqual(await shape(viaLambda));
    await invariants(server);
  });

  test('create validation: prefixed ids, admins outside participants, unknown users, duplicates of a distinct set (108)', async () => {
    const [alice, bob] = await signupUsers(server, 2);
    await expectError(alice.client.publicDB.save(newConversation({ participant_ids: [`user/${bob.id}`] })), 108);
    await expectError(alice.client.publicDB.save(newConversation({ participant_ids: [bob.id], admin_ids: ['someone'] })), 108);
    await expectError(alice.client.publicDB.save(newConversation({ participant_ids: ['ghost'] })), 108);
    const first = await alice.client.publicDB.save(newConversation({ participant_ids: [bob.id], distinct_by_participants: true }));
    const dup = await expectError(bob.client.publicDB.save(newConversation({ participant_ids: [alice.id], distinct_by_participants: true })), 108);
    expect(dup.info?.conversation_id).toBe(first._id);
    const viaLambda = await expectError(bob.call('chat:create_conversation', [[alice.id], null, {}, { distinctByParticipants: true }]), 108);
    expect(viaLambda.info?.conversation_id).toBe(first._id);
    await invariants(server);
  });

  test('admins update title, metadata and membership by saving; non-admins get 102; the ACL survives a save without _access', async () => {
    const [alice, bob, carol, dave] = await signupUsers(server, 4);
    const cid = await alice.createConversation([bob, carol], 'before');
    // JS-1.7 updateConversation: a new record with only the changed fields and `_access: null`.
    const updated = await alice.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'after', metadata: { x: 1 } }));
    expect(updated.title).toBe('after');
    expect(updated.participant_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    const acl = (await server.db.query(`SELECT _access FROM conversation WHERE _id = $1`, [cid])).rows[0]._access;
    expect(acl).toEqual(expect.arrayContaining([{ role: `conversation-admin-${cid}`, level: 'write' }]));
    await invariants(server);
    // JS-seed addParticipants / removeParticipants: array edits of the whole record.
    const [record] = await queryConversation(alice, cid);
    record.participant_ids = [...record.participant_ids.filter((p: string) => p !== carol.id), dave.id];
    record.admin_ids = record.admin_ids.filter((a: string) => a !== carol.id);
    await alice.client.publicDB.save(record);
    await invariants(server);
    expect(await queryConversation(dave, cid)).toHaveLength(1);
    expect(await queryConversation(carol, cid)).toHaveLength(0);
    // Not an admin: the server's ACL (participants read only) or the hook refuses.
    await expectError(bob.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'hijack' })), 102);
    await expectError(carol.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'hijack' })), 102);
    await expectError(alice.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, admin_ids: [] })), 108);
    await expectError(alice.client.publicDB.delete(new Conversation({ _id: `conversation/${cid}` })), 111);
    expect((await server.db.query(`SELECT title FROM conversation WHERE _id = $1`, [cid])).rows[0].title).toBe('after');
    await invariants(server);
  });

  test('derived fields cannot be forged through a save', async () => {
    const [alice, bob] = await signupUsers(server, 2);
    const cid = await alice.createConversation([bob], 'g');
    const mid = await alice.send(cid, 'last');
    const saved = await alice.client.publicDB.save(
      new Conversation({ _id: `conversation/${cid}`, participant_count: 99, last_message: null, distinct_key: 'forged', deleted: true }),
    );
    expect(saved.participant_count).toBe(2);
    expect(saved.last_message.id).toBe(`message/${mid}`);
    expect(saved.deleted).toBe(false);
    expect(saved.distinct_key).toBeUndefined();
    await invariants(server);
  });
});

describe('record-level access', () => {
  test('only participants read conversations and messages; leaving revokes access at once (fixes A4)', async () => {
    const [alice, bob, eve] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob], 'secret');
    await alice.send(cid, 'public-db message');
    await bob.send(cid, 'private-db message', { db: 'private' });
    expect(await queryConversation(bob, cid)).toHaveLength(1);
    expect((await queryMessages(bob, cid)).map((m) => m.body)).toEqual(['public-db message']);
    expect(await queryConversation(eve, cid)).toHaveLength(0);
    expect(await queryMessages(eve, cid)).toHaveLength(0);
    await bob.call('chat:leave_conversation', [cid]);
    expect(await queryConversation(bob, cid)).toHaveLength(0);
    expect(await queryMessages(bob, cid)).toHaveLength(0);
    // The creator leaves too: ownership moved, so she cannot read it as its owner either.
    await alice.call('chat:add_participants', [cid, [eve.id]]);
    await alice.call('chat:leave_conversation', [cid]);
    expect(await queryConversation(alice, cid)).toHaveLength(0);
    expect(await queryConversation(eve, cid)).toHaveLength(1);
    await invariants(server);
  });

  test('a removed admin loses write access to the conversation record', async () => {
    const [alice, bob, carol] = await signupUsers(server, 3);
    const cid = await alice.createConversation([bob, carol], 'g');
    await alice.call('chat:add_admins', [cid, [bob.id]]);
    await alice.call('chat:remove_participants', [cid, [bob.id]]);
    await expectError(bob.client.publicDB.save(new Conversation({ _id: `conversation/${cid}`, title: 'still admin?' })), 102);
    await invariants(server);
  });

  test('user_channel: one per user', async () => {
    const [alice] = await signupUsers(server, 1);
    const Channel = skygear.Record.extend('user_channel');
    await alice.client.privateDB.save(new Channel({ name: randomUUID() }));
    await expectError(alice.client.privateDB.save(new Channel({ name: randomUUID() })), 109);
  });
});
