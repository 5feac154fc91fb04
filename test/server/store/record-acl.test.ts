import type { RecordJSON } from '../../../src/server/store/codec/record-json';
import { anonAuth, makeStore, masterAuth, req, SharedDb, userAuth } from './support';

describe('record store: access control (§5)', () => {
  let shared: SharedDb;
  let schema: string;
  let store: ReturnType<typeof makeStore>;
  const alice = userAuth('alice');
  const bob = userAuth('bob');
  const editor = userAuth('eve', ['editor']);
  const ids = async (auth = alice, db = '_public', type = 'note') =>
    (await store.query(auth, db, { recordType: type, sort: [[{ $type: 'keypath', $val: '_id' }, 'asc']] })).records.map((r) => r._id.slice(type.length + 1));
  const save = async (auth: typeof alice, record: Record<string, unknown>, db = '_public') => (await store.save(auth, db, [record], req))[0];

  beforeAll(async () => {
    shared = await SharedDb.open();
  });
  afterAll(async () => shared.close());
  beforeEach(async () => {
    schema = await shared.newSchema();
    store = makeStore(shared.db, schema);
  });

  describe('the ACL matrix', () => {
    beforeEach(async () => {
      await store.save(
        alice,
        '_public',
        [
          { _id: 'note/null', _access: null, t: 1 },
          { _id: 'note/owner-only', _access: [], t: 1 },
          { _id: 'note/public-read', _access: [{ public: true, level: 'read' }], t: 1 },
          { _id: 'note/bob-write', _access: [{ user_id: 'bob', level: 'write' }], t: 1 },
          { _id: 'note/bob-read', _access: [{ user_id: 'bob', level: 'read' }], t: 1 },
          { _id: 'note/editors', _access: [{ role: 'editor', level: 'write' }], t: 1 },
        ],
        req,
      );
    });

    it('filters queries by read access', async () => {
      expect(await ids(alice)).toEqual(['bob-read', 'bob-write', 'editors', 'null', 'owner-only', 'public-read']);
      expect(await ids(bob)).toEqual(['bob-read', 'bob-write', 'null', 'public-read']);
      expect(await ids(editor)).toEqual(['editors', 'null', 'public-read']);
      expect(await ids(anonAuth)).toEqual(['null', 'public-read']);
      expect(await ids({ userId: null, roles: [], keyType: 'master' })).toHaveLength(6);
    });

    it('checks write access on update', async () => {
      const results = await store.save(
        bob,
        '_public',
        ['null', 'owner-only', 'public-read', 'bob-write', 'bob-read', 'editors'].map((k) => ({ _id: `note/${k}`, t: 2 })),
        req,
      );
      expect(results.map((r) => ('code' in r ? r.code : 'ok'))).toEqual(['ok', 102, 102, 'ok', 102, 102]);
      expect((await save(editor, { _id: 'note/editors', t: 3 })) as RecordJSON).toMatchObject({ t: 3 });
      expect(await save(masterAuth, { _id: 'note/owner-only', t: 4 })).toMatchObject({ t: 4, _ownerID: 'alice' });
    });

    it('checks read access on fetch and write access on delete', async () => {
      const fetched = await store.fetch(bob, '_public', ['note/owner-only', 'note/bob-read']);
      expect(fetched.map((r) => ('code' in r ? r.code : r._id))).toEqual([102, 'note/bob-read']);
      const deleted = await store.delete(bob, '_public', ['note/bob-read', 'note/bob-write', 'note/null'], req);
      expect(deleted.map((r) => ('code' in r ? r.code : r._id))).toEqual([102, 'note/bob-write', 'note/null']);
    });
  });

  it('keeps the stored ACL when an existing record is saved with _access null or absent (ACL-wipe fix, §5.8)', async () => {
    await store.setDefaultAccess('note', [{ public: true, level: 'write' }]);
    await save(alice, { _id: 'note/w', _access: [{ user_id: 'bob', level: 'write' }], t: 1 });
    expect(await save(bob, { _id: 'note/w', _access: null, t: 2 })).toMatchObject({ _access: [{ user_id: 'bob', level: 'write' }], t: 2 });
    expect(await save(bob, { _id: 'note/w', t: 3 })).toMatchObject({ _access: [{ user_id: 'bob', level: 'write' }], t: 3 });
    // An explicit array still replaces it (any writer may change the ACL, §5.8 item 3).
    expect(await save(bob, { _id: 'note/w', _access: [] })).toMatchObject({ _access: [] });
    expect(await save(bob, { _id: 'note/w', t: 4 })).toMatchObject({ code: 102 });
  });

  it('applies the default ACL to new records saved with _access null', async () => {
    await store.setDefaultAccess('note', [{ role: 'editor', level: 'read' }]);
    expect(await save(alice, { _id: 'note/d', _access: null })).toMatchObject({ _access: [{ role: 'editor', level: 'read' }] });
    expect(await save(alice, { _id: 'note/e', _access: [{ public: true, level: 'read' }] })).toMatchObject({ _access: [{ public: true, level: 'read' }] });
    expect(await save(alice, { _id: 'other/n', _access: null })).toMatchObject({ _access: null });
  });

  it('enforces creation access by role; the master key bypasses it', async () => {
    expect(await store.setCreationAccess('note', ['writer'])).toEqual(['writer']);
    expect(await save(alice, { _id: 'note/1' })).toMatchObject({ code: 102, message: 'no permission to create' });
    expect(await save(userAuth('w', ['writer']), { _id: 'note/2' })).toMatchObject({ _id: 'note/2' });
    expect(await save(masterAuth, { _id: 'note/3' })).toMatchObject({ _id: 'note/3', _ownerID: '_god' });
    // Updates are governed by the ACL, not creation access.
    expect(await save(alice, { _id: 'note/2', t: 1 })).toMatchObject({ t: 1 });
    // Only this type's rows are replaced (Go's cross-type delete bug is not copied).
    await store.setCreationAccess('other', ['writer']);
    await store.setCreationAccess('other', []);
    expect(await save(alice, { _id: 'note/4' })).toMatchObject({ code: 102 });
  });

  it('isolates private databases and skips ACL filtering inside them', async () => {
    await save(alice, { _id: 'note/mine', _access: [], t: 1 }, '_private');
    await save(bob, { _id: 'note/his', t: 1 }, '_private');
    await save(alice, { _id: 'note/pub', t: 1 });
    expect(await ids(alice, '_private')).toEqual(['mine']);
    expect(await ids(bob, '_private')).toEqual(['his']);
    expect(await ids(alice, '_public')).toEqual(['pub']);
    await expect(ids(bob, 'alice')).rejects.toMatchObject({ code: 102 });
    expect(await ids(masterAuth, 'alice')).toEqual(['mine']);
    await expect(ids(anonAuth, '_private')).rejects.toMatchObject({ code: 101 });
    const [row] = (await shared.db.query(`SELECT _database_id, _owner_id FROM "${schema}".note WHERE _id = 'mine'`)).rows;
    expect(row).toEqual({ _database_id: 'alice', _owner_id: 'alice' });
    // Writing a key that exists in bob's private DB into the public one does not touch his record.
    expect(await save(alice, { _id: 'note/his', t: 9 })).toMatchObject({ code: 109 });
  });

  it('reads across all databases with _union, master key only', async () => {
    await save(alice, { _id: 'note/a', _access: [] }, '_private');
    await save(bob, { _id: 'note/b', _access: [] });
    expect(await ids(masterAuth, '_union')).toEqual(['a', 'b']);
    await expect(ids(alice, '_union')).rejects.toMatchObject({ code: 102 });
    await expect(store.delete(masterAuth, '_union', ['note/a'], req)).rejects.toMatchObject({ code: 111 });
  });

  it('rejects other reserved database ids with 108', async () => {
    await expect(ids(alice, '_secret')).rejects.toMatchObject({ code: 108 });
  });
});
