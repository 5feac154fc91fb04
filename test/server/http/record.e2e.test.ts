
import { closeAllClients, newClient, signupClient, startServerWithUsers, type Container } from '../../support/client';
import { rejectionOf } from '../../support/errors';
import { callAction, masterAction } from '../../support/http';
import { startTestServer, TEST_MASTER_KEY, type TestServer } from '../../support/server';

const skygear: any = require('skygear');
const Note = skygear.Record.extend('note');
const Author = skygear.Record.extend('author');

describe('records over HTTP with the unmodified skygear 1.7.2 client', () => {
  let server: TestServer;
  let alice: Container;
  let bob: Container;
  let anon: Container;
  const master = (action: string, body: Record<string, unknown> = {}) => masterAction(server, action, body);
  const titles = (records: any[]) => records.map((r) => r.title).sort();

  beforeAll(async () => {
    ({ server, alice, bob, anon } = await startServerWithUsers());
  });
  afterAll(async () => {
    closeAllClients();
    await server?.close();
  });

  it('saves a record and reads it back with the client’s own types', async () => {
    const due = new Date('2024-05-06T07:08:09.123Z');
    const saved = await alice.publicDB.save(new Note({ title: 'first', count: 2, tags: ['x'], due }));
    expect(saved.title).toBe('first');
    expect(saved.ownerID).toBe(alice.auth.currentUser._id);
    expect(saved.createdAt).toBeInstanceOf(Date);
    expect(saved.due).toEqual(due);
    const [row] = (await server.db.query(`SELECT title, count, _owner_id FROM "${server.schema}".note WHERE _id = $1`, [saved._id])).rows;
    expect(row).toEqual({ title: 'first', count: 2, _owner_id: alice.auth.currentUser._id });
  });

  it('merges updates and keeps the stored ACL on a partial save (ACL-wipe fix)', async () => {
    const note = new Note({ title: 'shared', body: 'v1' });
    note.setPublicReadOnly();
    note.setReadWriteAccessForUser(bob.auth.currentUser);
    const saved = await alice.publicDB.save(note);
    // A partial update built locally: the client sends `_access: null`.
    const partial = await bob.publicDB.save(new Note({ _id: saved.id, body: 'v2' }));
    expect(partial.title).toBe('shared');
    expect(partial.body).toBe('v2');
    expect(partial.access.hasWriteAccessForUser(bob.auth.currentUser)).toBe(true);
    const [row] = (await server.db.query(`SELECT _access FROM "${server.schema}".note WHERE _id = $1`, [saved._id])).rows;
    expect(row._access).toEqual(expect.arrayContaining([{ public: true, level: 'read' }, { user_id: bob.auth.currentUser._id, level: 'write' }]));
  });

  it('denies writes and reads the ACL does not grant', async () => {
    const secret = new Note({ title: 'alice only' });
    secret.setPublicNoAccess();
    const saved = await alice.publicDB.save(secret);
    const readonly = new Note({ title: 'read only' });
    readonly.setPublicReadOnly();
    await alice.publicDB.save(readonly);

    // A single-record save/delete rejects with the per-record error item itself (§4.5).
    const denied = await rejectionOf(bob.publicDB.save(new Note({ _id: saved.id, title: 'hacked' })));
    expect(denied).toMatchObject({ _type: 'error', code: 102, name: 'PermissionDenied' });
    const deniedDelete = await rejectionOf(bob.publicDB.delete(saved));
    expect(deniedDelete).toMatchObject({ _type: 'error', code: 102 });

    const seenByBob = titles(await bob.publicDB.query(new skygear.Query(Note)));
    expect(seenByBob).toContain('read only');
    expect(seenByBob).not.toContain('alice only');
    expect(titles(await anon.publicDB.query(new skygear.Query(Note)))).not.toContain('alice only');
    expect(titles(await alice.publicDB.query(new skygear.Query(Note)))).toContain('alice only');

    // Saving needs a user.
    const anonymous = await callAction(server, 'record:save', { records: [{ _id: 'note/x' }] }, { apiKey: server.config.apiKey });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe(101);
  });

  it('keeps private databases apart; _union with the master key sees everything', async () => {
    await alice.privateDB.save(new Note({ title: 'alice diary' }));
    await bob.privateDB.save(new Note({ title: 'bob diary' }));
    expect(titles(await alice.privateDB.query(new skygear.Query(Note)))).toEqual(['alice diary']);
    expect(titles(await bob.privateDB.query(new skygear.Query(Note)))).toEqual(['bob diary']);
    expect(titles(await alice.publicDB.query(new skygear.Query(Note)))).not.toContain('alice diary');

    const union = await master('record:query', { database_id: '_union', record_type: 'note', limit: 100 });
    expect(union.status).toBe(200);
    expect(titles(union.json.result)).toEqual(expect.arrayContaining(['alice diary', 'bob diary', 'alice only']));
    const notMaster = await callAction(server, 'record:query', { database_id: '_union', record_type: 'note' }, { apiKey: server.config.apiKey });
    expect(notMaster.status).toBe(403);
    const unionSave = await master('record:save', { database_id: '_union', records: [{ _id: 'note/u' }] });
    expect(unionSave.status).toBe(501);
    expect(unionSave.json.error.code).toBe(111);
    const othersDb = await callAction(server, 'record:query', { database_id: alice.auth.currentUser._id, record_type: 'note' }, {
      apiKey: server.config.apiKey,
      accessToken: bob.auth.accessToken,
    });
    expect(othersDb.json.error.code).toBe(102);
  });

  describe('queries built with skygear.Query', () => {
    beforeAll(async () => {
      const Book = skygear.Record.extend('book');
      await alice.publicDB.save([
        new Book({ title: 'Alpha', pages: 100, genres: ['a', 'b'] }),
        new Book({ title: 'beta', pages: 200, genres: ['b'] }),
        new Book({ title: 'Gamma', pages: 300, genres: ['c'] }),
        new Book({ title: 'Delta', genres: [] }),
      ]);
    });
    const run = async (build: (q: any) => void, client = alice) => {
      const Book = skygear.Record.extend('book');
      const q = new skygear.Query(Book);
      q.addAscending('title');
      build(q);
      return (await client.publicDB.query(q)).map((r: any) => r.title);
    };

    it('supports comparisons, like, null and the two contains forms', async () => {
      expect(await run((q) => q.equalTo('title', 'beta'))).toEqual(['beta']);
      expect(await run((q) => q.notEqualTo('title', 'beta'))).toEqual(['Alpha', 'Delta', 'Gamma']);
      expect(await run((q) => q.greaterThan('pages', 100))).toEqual(['Gamma', 'beta']);
      expect(await run((q) => q.lessThanOrEqualTo('pages', 200))).toEqual(['Alpha', 'beta']);
      expect(await run((q) => q.like('title', '%a'))).toEqual(['Alpha', 'Delta', 'Gamma', 'beta']);
      expect(await run((q) => q.caseInsensitiveLike('title', 'b%'))).toEqual(['beta']);
      expect(await run((q) => q.equalTo('pages', null))).toEqual(['Delta']);
      expect(await run((q) => q.contains('title', ['Alpha', 'Gamma', 'nope']))).toEqual(['Alpha', 'Gamma']);
      expect(await run((q) => q.containsValue('genres', 'b'))).toEqual(['Alpha', 'beta']);
    });

    it('supports or/not combinations, sorting, paging and overall count', async () => {
      const Book = skygear.Record.extend('book');
      const a = new skygear.Query(Book).equalTo('title', 'Alpha');
      const g = new skygear.Query(Book).equalTo('title', 'Gamma');
      const either = skygear.Query.or(a, g);
      either.addDescending('title');
      expect((await alice.publicDB.query(either)).map((r: any) => r.title)).toEqual(['Gamma', 'Alpha']);
      const notAlpha = skygear.Query.not(a);
      notAlpha.addAscending('title');
      expect((await alice.publicDB.query(notAlpha)).map((r: any) => r.title)).toEqual(['Delta', 'Gamma', 'beta']);

      const paged = new skygear.Query(Book);
      paged.addDescending('pages');
      paged.notEqualTo('pages', null);
      paged.limit = 1;
      paged.offset = 1;
      paged.overallCount = true;
      const result = await alice.publicDB.query(paged);
      expect(result.map((r: any) => r.title)).toEqual(['beta']);
      expect(result.overallCount).toBe(3);
    });

    it('answers query errors with the right codes', async () => {
      const bad = await rejectionOf(run((q) => q.equalTo('nope', 1)));
      expect(bad.error.code).toBe(120);
      const empty = await rejectionOf(
        callAction(server, 'record:query', { record_type: '' }, { apiKey: server.config.apiKey }).then((r) => Promise.reject(r.json)),
      );
      expect(empty).toMatchObject({ error: { code: 108, message: 'recordType cannot be empty' } });
    });
  });

  it('includes referenced records in _transient, respecting the caller’s read ACL', async () => {
    const visible = await alice.publicDB.save(new Author({ name: 'Visible' }));
    const hidden = new Author({ name: 'Hidden' });
    hidden.setPublicNoAccess();
    const hiddenSaved = await alice.publicDB.save(hidden);
    await alice.publicDB.save([
      new Note({ title: 'by visible', author: new skygear.Reference(visible) }),
      new Note({ title: 'by hidden', author: new skygear.Reference(hiddenSaved) }),
    ]);
    const q = new skygear.Query(Note);
    q.contains('title', ['by visible', 'by hidden']);
    q.transientInclude('author');
    q.addAscending('title');
    const asBob = await bob.publicDB.query(q);
    expect(asBob.map((r: any) => r.title)).toEqual(['by hidden', 'by visible']);
    expect(asBob[0].$transient.author).toBeNull();
    expect(asBob[1].$transient.author.name).toBe('Visible');
    const asAlice = await alice.publicDB.query(q);
    expect(asAlice[0].$transient.author.name).toBe('Hidden');
  });

  it('deletes records (user records never)', async () => {
    const note = await alice.publicDB.save(new Note({ title: 'to delete' }));
    await alice.publicDB.delete(note);
    expect((await server.db.query(`SELECT 1 FROM "${server.schema}".note WHERE _id = $1`, [note._id])).rows).toEqual([]);
    const userDelete = await master('record:delete', { ids: [`user/${alice.auth.currentUser._id}`] });
    expect(userDelete.json.result[0]).toMatchObject({ _type: 'error', code: 102, message: 'cannot delete user record' });
  });

  it('rolls back atomic saves (115) and reports per-record errors otherwise', async () => {
    const locked = new Note({ title: 'locked' });
    locked.setPublicReadOnly();
    const saved = await alice.publicDB.save(locked);
    const res = await callAction(
      server,
      'record:save',
      { atomic: true, records: [{ _id: 'note/atomic-new', _access: null, title: 'new' }, { _id: saved.id, _access: null, title: 'x' }] },
      { apiKey: server.config.apiKey, accessToken: bob.auth.accessToken },
    );
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 115, name: 'AtomicOperationFailure', info: { [saved.id]: { code: 102 } } });
    expect((await server.db.query(`SELECT 1 FROM "${server.schema}".note WHERE _id = 'atomic-new'`)).rows).toEqual([]);

    const batch = await bob.publicDB.save([new Note({ title: 'ok' }), new Note({ _id: saved.id, title: 'x' })]);
    expect(batch.savedRecords[0].title).toBe('ok');
    expect(batch.errors[1]).toMatchObject({ code: 102 });
  });

  it('sets creation and default access through the client', async () => {
    const Memo = skygear.Record.extend('memo');
    const writer = new skygear.Role('writer');
    const masterClient = await newClient(server, { apiKey: TEST_MASTER_KEY });
    await masterClient.publicDB.setRecordCreateAccess(Memo, [writer]);
    const denied = await rejectionOf(alice.publicDB.save(new Memo({ t: 1 })));
    expect(denied).toMatchObject({ _type: 'error', code: 102, message: 'no permission to create' });
    await masterClient.publicDB.setRecordCreateAccess(Memo, []);

    const acl = new skygear.ACL();
    acl.setPublicNoAccess();
    acl.setReadOnlyForRole(writer);
    await masterClient.publicDB.setRecordDefaultAccess(Memo, acl);
    const memo = await alice.publicDB.save(new Memo({ t: 2 }));
    expect(memo.access.hasReadAccessForRole(writer)).toBe(true);
    expect(memo.access.hasPublicReadAccess()).toBe(false);
  });
});

describe('schema actions over raw HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { DEV_MODE: 'false' } });
  });
  afterAll(async () => server?.close());

  const call = (action: string, body: Record<string, unknown>, apiKey = TEST_MASTER_KEY) => callAction(server, action, body, { apiKey });

  it('creates, lists, renames and deletes fields with the master key', async () => {
    const created = await call('schema:create', { record_types: { note: { fields: [{ name: 'title', type: 'string' }, { name: 'owner', type: 'ref(user)' }] } } });
    expect(created.status).toBe(200);
    expect(created.json.result.record_types.note).toEqual({ fields: [{ name: 'owner', type: 'ref(user)' }, { name: 'title', type: 'string' }] });
    const renamed = await call('schema:rename', { record_type: 'note', item_type: 'field', item_name: 'title', new_name: 'subject' });
    expect(renamed.json.result.record_types.note.fields).toContainEqual({ name: 'subject', type: 'string' });
    const deleted = await call('schema:delete', { record_type: 'note', item_name: 'subject' });
    expect(deleted.json.result.record_types.note.fields).toEqual([{ name: 'owner', type: 'ref(user)' }]);
    const fetched = await call('schema:fetch', {});
    expect(Object.keys(fetched.json.result.record_types).sort()).toEqual(['note', 'user']);
  });

  it('validates input and refuses non-master callers when dev mode is off', async () => {
    const badType = await call('schema:create', { record_types: { note: { fields: [{ name: 'x', type: 'bogus' }] } } });
    expect(badType.status).toBe(400);
    expect(badType.json.error).toMatchObject({ code: 108, info: { arguments: ['bogus'] } });
    const conflict = await call('schema:create', { record_types: { note: { fields: [{ name: 'owner', type: 'string' }] } } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe(114);
    const missing = await call('schema:rename', { record_type: 'note', item_type: 'field', item_name: 'ghost', new_name: 'x' });
    expect(missing.json.error.code).toBe(110);
    const clientKey = await call('schema:fetch', {}, server.config.apiKey);
    expect(clientKey.status).toBe(403);
    expect(clientKey.json.error.code).toBe(102);
  });

  it('sets creation and default access with result shapes of §5.4/§5.5', async () => {
    const access = await call('schema:access', { type: 'note', create_roles: ['writer'] });
    expect(access.json.result).toEqual({ type: 'note', create_roles: ['writer'] });
    const defaults = await call('schema:default_access', { type: 'note', default_access: [{ public: true, level: 'read' }] });
    expect(defaults.json.result).toEqual({ type: 'note', default_access: [{ public: true, level: 'read' }] });
    const cleared = await call('schema:default_access', { type: 'note', default_access: [] });
    expect(cleared.json.result).toEqual({ type: 'note' });
  });

  it('refuses auto-migration without the master key when dev mode is off (114)', async () => {
    const user = await signupClient(server, 'carol');
    // A whole-request error (not a per-record one): the client rejects with {status, error}.
    const rejected = await rejectionOf(user.publicDB.save(new Note({ brand_new_field: 1 })));
    expect(rejected).toMatchObject({ status: 409, error: { code: 114 } });
    closeAllClients();
  });
});
