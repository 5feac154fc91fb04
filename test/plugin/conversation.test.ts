
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { type ChatUser, bareId, expectError, invariants, signupUsers, startChatServer } from './support';

/**
 * Conversation lambdas end to end (three or more users, each with their own unmodified skygear
 * client), with the SQL invariant checker after every step.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

async function users(n: number): Promise<ChatUser[]> {
  return signupUsers(server, n);
}

async function rolesOf(userId: string): Promise<string[]> {
  const res = await server.db.query<{ role_id: string }>(`SELECT role_id FROM _auth_role WHERE auth_id = $1 ORDER BY role_id`, [userId]);
  return res.rows.map((r) => r.role_id);
}

describe('chat:create_conversation', () => {
  test('creates the conversation with the caller as participant and admin, rows and roles in step', async () => {
    const [alice, bob, carol] = await users(3);
    const res = await alice.call('chat:create_conversation', [[bob.id, `user/${carol.id}`], 'Trip', { color: 'red' }, {}]);
    const c = res.conversation;
    const cid = bareId(c._id);
    expect(c.title).toBe('Trip');
    expect(c.metadata).toEqual({ color: 'red' });
    expect(c.participant_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(c.admin_ids).toEqual([alice.id]);
    expect(c.participant_count).toBe(3);
    expect(c.distinct_by_participants).toBe(false);
    expect(c.unread_count).toBe(0);
    expect(c.last_message).toBeNull();
    expect(c._ownerID).toBe(alice.id);
    expect(await rolesOf(bob.id)).toEqual([`conversation-participant-${cid}`]);
    expect(await rolesOf(alice.id)).toEqual([`conversation-admin-${cid}`, `conversation-participant-${cid}`]);
    await invariants(server);
  });

  test('accepts user records, named arguments and adminIDs', async () => {
    const [alice, bob, carol] = await users(3);
    const res = await alice.call('chat:create_conversation', {
      participants: [bob.client.auth.currentUser],
      title: 'named',
      metadata: null,
      options: { adminIDs: [`user/${carol.id}`] },
    });
    expect(res.conversation.participant_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(res.conversation.admin_ids.sort()).toEqual([alice.id, carol.id].sort());
    expect(res.conversation.metadata).toEqual({});
    await invariants(server);
  });

  test('distinct conversations: at most one per exact participant set, 108 with the existing id', async () => {
    const [alice, bob, carol] = await users(3);
    const first = await alice.call('chat:create_conversation', [[bob.id], null, {}, { distinctByParticipants: true }]);
    expect(first.conversation.distinct_by_participants).toBe(true);
    const error = await expectError(bob.call('chat:create_conversation', [[alice.id], null, {}, { distinctByParticipants: true }]), 108);
    expect(error.info?.conversation_id).toBe(bareId(first.conversation._id));
    // A different set, or a non-distinct conversation with the same set, is fine.
    await alice.call('chat:create_conversation', [[bob.id, carol.id], null, {}, { distinctByParticipants: true }]);
    await alice.call('chat:create_conversation', [[bob.id], null, {}, {}]);
    await invariants(server);
  });

  test('bad input is 108 naming the argument; unknown users are 108', async () => {
    const [alice] = await users(1);
    const cases: Array<[unknown, string]> = [
      [['not-a-list'], 'participants'],
      [[[42]], 'participants'],
      [[['note/abc']], 'participants'],
      [[[], 5], 'title'],
      [[[], null, 'meta'], 'metadata'],
      [[[], null, {}, { distinctByParticipants: 'yes' }], 'distinctByParticipants'],
      [[[], null, {}, {}, 'extra'], 'args'],
    ];
    for (const [args, name] of cases) {
      const error = await expectError(alice.call('chat:create_conversation', args), 108);
      expect(error.info?.arguments).toEqual([name]);
    }
    const unknown = await expectError(alice.call('chat:create_conversation', [['no-such-user']]), 108);
    expect(unknown.info?.arguments).toEqual(['participants']);
    await invariants(server);
  });
});

describe('participants and admins', () => {
  test('add_participants: admin only; new member starts at 0 with the newest message as marker', async () => {
    const [alice, bob, carol, dave] = await users(4);
    const cid = await alice.createConversation([bob], 'g');
    await alice.send(cid, 'before carol');
    await expectError(bob.call('chat:add_participants', [cid, [carol.id]]), 102); // not an admin
    await expectError(carol.call('chat:add_participants', [cid, [dave.id]]), 102); // not a participant
    const res = await alice.call('chat:add_participants', [cid, [carol.id]]);
    expect(res.conversation.participant_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(res.conversation.participant_count).toBe(3);
    const view = await carol.call('chat:get_conversation', [cid]);
    expect(view.conversation.unread_count).toBe(0);
    expect(view.conversation.last_read_message).toEqual(expect.objectContaining({ id: `message/${view.conversation.last_message._id.split('/')[1]}` }));
    await invariants(server);
    // Idempotent for existing members; named form with the 1.7 keyword.
    const again = await alice.call('chat:add_participants', { conversation_id: cid, participants: [carol.id] });
    expect(again.conversation.participant_count).toBe(3);
    await expectError(alice.call('chat:add_participants', [cid, ['ghost']]), 108);
    await invariants(server);
  });

  test('adding or removing participants makes a distinct conversation non-distinct (fixes C3)', async () => {
    const [alice, bob, carol] = await users(3);
    const cid = await alice.createConversation([bob], null as any, { distinctByParticipants: true });
    const added = await alice.call('chat:add_participants', [cid, [carol.id]]);
    expect(added.conversation.distinct_by_participants).toBe(false);
    // The old set is free again for a new distinct conversation.
    await alice.call('chat:create_conversation', [[bob.id], null, {}, { distinctByParticipants: true }]);
    await invariants(server);
  });

  test('remove_participants: admin only; removed users lose rows and roles at once (fixes A4)', async () => {
    const [alice, bob, carol] = await users(3);
    const cid = await alice.createConversation([bob, carol], 'g');
    await alice.call('chat:add_admins', [cid, [bob.id]]);
    await expectError(carol.call('chat:remove_participants', [cid, [bob.id]]), 102);
    const res = await alice.call('chat:remove_participants', [cid, [bob.id]]);
    expect(res.conversation.participant_ids.sort()).toEqual([alice.id, carol.id].sort());
    expect(res.conversation.admin_ids).toEqual([alice.id]);
    expect(await rolesOf(bob.id)).toEqual([]);
    await expectError(bob.call('chat:get_conversation', [cid]), 102);
    await expectError(bob.call('chat:get_messages', [cid, 10]), 102);
    await invariants(server);
  });

  test('add_admins / remove_admins: a new admin who is not a participant becomes one; at least one admin stays', async () => {
    const [alice, bob, carol, dave] = await users(4);
    const cid = await alice.createConversation([bob, carol], 'g');
    await expectError(bob.call('chat:add_admins', [cid, [bob.id]]), 102);
    await expectError(alice.call('chat:add_admins', [cid, ['no-such-user']]), 108);
    // chat-api.md §6: dave joins as participant and admin, with his row and both roles (1.7's C6 gave a row only).
    const withDave = await alice.call('chat:add_admins', [cid, [dave.id]]);
    expect(withDave.conversation.participant_ids).toContain(dave.id);
    expect(withDave.conversation.admin_ids.sort()).toEqual([alice.id, dave.id].sort());
    expect(await rolesOf(dave.id)).toEqual([`conversation-admin-${cid}`, `conversation-participant-${cid}`]);
    expect((await dave.call('chat:get_conversation', [cid])).conversation.unread_count).toBe(0);
    await invariants(server);
    await alice.call('chat:remove_admins', [cid, [dave.id]]);
    const added = await alice.call('chat:add_admins', { conversation_id: cid, admin_ids: [bob.id, carol.id] });
    expect(added.conversation.admin_ids.sort()).toEqual([alice.id, bob.id, carol.id].sort());
    await invariants(server);
    const removed = await bob.call('chat:remove_admins', [cid, [alice.id, carol.id]]);
    expect(removed.conversation.admin_ids).toEqual([bob.id]);
    await expectError(bob.call('chat:remove_admins', [cid, [bob.id]]), 108);
    expect(await rolesOf(alice.id)).toEqual([`conversation-participant-${cid}`]);
    await invariants(server);
  });

  test('leave_conversation: the caller goes, with their roles; the last admin may leave', async () => {
    const [alice, bob, carol] = await users(3);
    const cid = await alice.createConversation([bob, carol], 'g');
    expect(await alice.call('chat:leave_conversation', [cid])).toEqual({ status: 'OK' });
    expect(await rolesOf(alice.id)).toEqual([]);
    await expectError(alice.call('chat:leave_conversation', [cid]), 102);
    const view = await bob.call('chat:get_conversation', { conversation_id: cid });
    expect(view.conversation.participant_ids.sort()).toEqual([bob.id, carol.id].sort());
    expect(view.conversation.admin_ids).toEqual([]);
    // The record owner moved to a remaining member, so the leaver cannot read it as its owner.
    expect([bob.id, carol.id]).toContain(view.conversation._ownerID);
    await invariants(server);
  });

  test('delete_conversation: admin only, soft delete, everyone removed', async () => {
    const [alice, bob, carol] = await users(3);
    const cid = await alice.createConversation([bob, carol], 'g');
    await alice.send(cid, 'hi');
    await expectError(bob.call('chat:delete_conversation', [cid]), 102);
    expect(await alice.call('chat:delete_conversation', [cid])).toEqual({ status: 'OK' });
    const row = await server.db.query(`SELECT deleted, participant_count FROM conversation WHERE _id = $1`, [cid]);
    expect(row.rows[0]).toEqual({ deleted: true, participant_count: 0 });
    await expectError(alice.call('chat:get_conversation', [cid]), 110);
    await expectError(alice.call('chat:delete_conversation', [cid]), 110);
    expect((await bob.call('chat:get_conversations', [])).conversations.map((c: any) => bareId(c._id))).not.toContain(cid);
    expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
    await invariants(server);
  });

  test('unknown conversations are 110; malformed ids are 108', async () => {
    const [alice] = await users(1);
    for (const action of ['chat:get_conversation', 'chat:leave_conversation', 'chat:delete_conversation']) {
      await expectError(alice.call(action, ['no-such-conversation']), 110);
      const error = await expectError(alice.call(action, [{ wrong: true }]), 108);
      expect(error.info?.arguments).toEqual(['conversation_id']);
      await expectError(alice.call(action, ['message/abc']), 108);
    }
    await expectError(alice.call('chat:add_participants', ['no-such-conversation', [alice.id]]), 110);
    await expectError(alice.call('chat:add_participants', ['x', 'not-a-list']), 108);
  });
});

describe('reading conversations', () => {
  test('get_conversation: participants only, with unread_count and the last message record', async () => {
    const [alice, bob, carol] = await users(3);
    const cid = await alice.createConversation([bob], 'g');
    const mid = await alice.send(cid, 'hello');
    const view = (await bob.call('chat:get_conversation', [cid])).conversation;
    expect(view.unread_count).toBe(1);
    expect(view.last_message._id).toBe(`message/${mid}`);
    expect(view.last_message.body).toBe('hello');
    expect(view.last_message_ref.id).toBe(`message/${mid}`);
    expect((await alice.call('chat:get_conversation', [cid])).conversation.unread_count).toBe(0);
    await expectError(carol.call('chat:get_conversation', [cid]), 102);
    await invariants(server);
  });

  test('get_conversations: newest activity first, paged', async () => {
    const [alice, bob] = await users(2);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await alice.createConversation([bob], `c${i}`));
    await alice.send(ids[1], 'bump'); // c1 becomes the most recently active
    const all = (await bob.call('chat:get_conversations', [1, 50])).conversations.map((c: any) => bareId(c._id));
    expect(all).toEqual([ids[1], ids[4], ids[3], ids[2], ids[0]]);
    const page2 = (await bob.call('chat:get_conversations', { page: 2, page_size: 2 })).conversations.map((c: any) => bareId(c._id));
    expect(page2).toEqual([ids[3], ids[2]]);
    await expectError(bob.call('chat:get_conversations', [0, 10]), 108);
    await expectError(bob.call('chat:get_conversations', [1, 'x']), 108);
    await invariants(server);
  });

  test('total_unread counts conversations and messages, 0 not null (fixes B8)', async () => {
    const [alice, bob, carol] = await users(3);
    expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
    const c1 = await alice.createConversation([bob, carol], 'a');
    const c2 = await carol.createConversation([bob], 'b');
    await alice.send(c1, 'one');
    await alice.send(c1, 'two');
    await carol.send(c2, 'three');
    await bob.send(c2, 'mine does not count');
    expect(await bob.call('chat:total_unread')).toEqual({ conversation: 2, message: 3 });
    expect(await alice.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
    expect(await carol.call('chat:total_unread')).toEqual({ conversation: 2, message: 3 });
    await invariants(server);
  });
});
