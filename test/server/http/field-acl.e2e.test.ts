
import { closeAllClients, startServerWithUsers, type Container } from '../../support/client';
import { rejectionOf } from '../../support/errors';
import { callAction, masterAction } from '../../support/http';
import type { TestServer } from '../../support/server';

const skygear: any = require('skygear');
const Note = skygear.Record.extend('note');

/** Field ACL (Part A §5.6) through the unmodified 1.7.2 client and raw actions. */
describe('field ACL over HTTP', () => {
  let server: TestServer;
  let alice: Container;
  let bob: Container;
  let anon: Container;
  const master = (action: string, body: Record<string, unknown> = {}) => masterAction(server, action, body);
  const asUser = (client: Container, action: string, body: Record<string, unknown>) =>
    callAction(server, action, body, { apiKey: server.config.apiKey, accessToken: client.auth.accessToken });
  const aliceId = () => alice.auth.currentUser._id as string;

  beforeAll(async () => {
    ({ server, alice, bob, anon } = await startServerWithUsers());
  });
  afterAll(async () => {
    closeAllClients();
    await server?.close();
  });

  describe('the fresh-install rules on the user record', () => {
    it('are in the table', async () => {
      const res = await master('schema:field_access:get');
      expect(res.status).toBe(200);
      expect(res.json.result.access).toEqual(
        expect.arrayContaining([
          { record_type: 'user', record_field: 'email', user_role: '_any_user', writable: false, readable: true, comparable: true, discoverable: true },
          { record_type: 'user', record_field: 'username', user_role: '_owner', writable: true, readable: true, comparable: true, discoverable: true },
        ]),
      );
      expect(res.json.result.access).toHaveLength(4);
    });

    it('hide username and email from anonymous callers, not from other users or the owner', async () => {
      const query = () => new skygear.Query(skygear.UserRecord).equalTo('_id', aliceId());
      const [seenByAnon] = await anon.publicDB.query(query());
      expect(seenByAnon._id).toBe(aliceId());
      expect(seenByAnon.username).toBeUndefined();
      const [seenByBob] = await bob.publicDB.query(query());
      expect(seenByBob.username).toBe('alice');
      const fetched = await callAction(server, 'record:fetch', { ids: [`user/${aliceId()}`] }, { apiKey: server.config.apiKey });
      expect(fetched.json.result[0]).not.toHaveProperty('username');
      const me = await alice.auth.whoami();
      expect(me.username).toBe('alice');
    });

    it('let logged-in users find users by username but answer 124 to an anonymous caller', async () => {
      const [found] = await bob.publicDB.query(new skygear.Query(skygear.UserRecord).equalTo('username', 'alice'));
      expect(found._id).toBe(aliceId());
      const denied = await rejectionOf(anon.publicDB.query(new skygear.Query(skygear.UserRecord).equalTo('username', 'alice')));
      expect(denied.error).toMatchObject({ code: 124, name: 'RecordQueryDenied' });
      expect(denied.error.message).toContain('username');
    });
  });

  describe('rules an admin sets', () => {
    let noteId: string;
    beforeAll(async () => {
      const set = await master('schema:field_access:update', {
        access: [{ record_type: 'note', record_field: 'secret', user_role: '_owner', writable: true, readable: true, comparable: true, discoverable: true }],
      });
      expect(set.status).toBe(200);
      expect(set.json.result.access).toHaveLength(1); // the whole table is replaced, user rules included
      const note = new Note({ title: 'shared', secret: 'alice only' });
      note.setPublicReadWriteAccess();
      noteId = (await alice.publicDB.save(note)).id; // "note/<key>"
    });

    const stored = async () => (await server.db.query(`SELECT title, secret FROM "${server.schema}".note WHERE _id = $1`, [noteId.split('/')[1]])).rows[0];

    it('hide the field from everyone but the owner; the master key sees everything', async () => {
      const [seenByBob] = await bob.publicDB.query(new skygear.Query(Note).equalTo('_id', noteId.split('/')[1]));
      expect(seenByBob.title).toBe('shared');
      expect(seenByBob.secret).toBeUndefined();
      const [seenByAlice] = await alice.publicDB.query(new skygear.Query(Note).equalTo('_id', noteId.split('/')[1]));
      expect(seenByAlice.secret).toBe('alice only');
      const byMaster = await master('record:fetch', { ids: [noteId] });
      expect(byMaster.json.result[0].secret).toBe('alice only');
    });

    it('drop a change to a field the caller may not write, and keep the rest of the save', async () => {
      const saved = await bob.publicDB.save(new Note({ _id: noteId, title: 'renamed by bob', secret: 'overwritten' }));
      expect(saved.title).toBe('renamed by bob');
      expect(saved.secret).toBeUndefined();
      expect(await stored()).toEqual({ title: 'renamed by bob', secret: 'alice only' });
    });

    it('refuse an atomic save that changes such a field with 123, changing nothing', async () => {
      const res = await asUser(bob, 'record:save', { atomic: true, database_id: '_public', records: [{ _id: noteId, _access: null, title: 'atomic', secret: 'x' }] });
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: 123, name: 'DeniedArgument', info: { arguments: ['secret'] } });
      expect(await stored()).toEqual({ title: 'renamed by bob', secret: 'alice only' });
    });

    it('refuse a query that compares or sorts by the field (124)', async () => {
      const byValue = await rejectionOf(bob.publicDB.query(new skygear.Query(Note).equalTo('secret', 'alice only')));
      expect(byValue.error).toMatchObject({ code: 124 });
      const sorted = await rejectionOf(bob.publicDB.query(new skygear.Query(Note).addAscending('secret')));
      expect(sorted.error).toMatchObject({ code: 124 });
      // `_owner` never matches in a query (there is no record yet), so even the owner is refused.
      const byOwner = await rejectionOf(alice.publicDB.query(new skygear.Query(Note).equalTo('secret', 'alice only')));
      expect(byOwner.error).toMatchObject({ code: 124 });
    });

    it('are replaced only by an admin or the master key, and bad input changes nothing', async () => {
      const byUser = await asUser(bob, 'schema:field_access:update', { access: [] });
      expect(byUser.status).toBe(401);
      expect(byUser.json.error.code).toBe(102);
      const bad = await master('schema:field_access:update', { access: [{ record_type: 'note', record_field: 'secret', user_role: 'everyone' }] });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toMatchObject({ code: 108 });
      expect(bad.json.error.message).toContain('user_role');
      const now = await master('schema:field_access:get');
      expect(now.json.result.access).toEqual([
        { record_type: 'note', record_field: 'secret', user_role: '_owner', writable: true, readable: true, comparable: true, discoverable: true },
      ]);
    });
  });
});
