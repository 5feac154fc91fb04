import { makeStore, req, SharedDb, userAuth } from './support';

describe('record store: schema administration (§6.2) and multi-node catalog', () => {
  let shared: SharedDb;
  let schema: string;
  let store: ReturnType<typeof makeStore>;
  const alice = userAuth('alice');
  const kp = (v: string) => ({ $type: 'keypath', $val: v });

  beforeAll(async () => {
    shared = await SharedDb.open();
  });
  afterAll(async () => shared.close());
  beforeEach(async () => {
    schema = await shared.newSchema();
    store = makeStore(shared.db, schema);
  });

  it('lists every record type with fields sorted by name, system columns omitted', async () => {
    const listing = await store.fetchSchema();
    expect(listing).toEqual({
      record_types: {
        user: {
          fields: [
            { name: 'email', type: 'string' },
            { name: 'last_login_at', type: 'datetime' },
            { name: 'username', type: 'string' },
          ],
        },
      },
    });
  });

  it('creates tables and columns of every type', async () => {
    const listing = await store.createSchema({
      note: {
        fields: [
          { name: 'title', type: 'string' },
          { name: 'n', type: 'number' },
          { name: 'i', type: 'integer' },
          { name: 'b', type: 'boolean' },
          { name: 'd', type: 'datetime' },
          { name: 'j', type: 'json' },
          { name: 'author', type: 'ref(user)' },
          { name: 'pic', type: 'asset' },
          { name: 'seq', type: 'sequence' },
          { name: 'parent', type: 'ref(folder)' },
        ],
      },
    });
    expect(listing.record_types.note.fields).toEqual([
      { name: 'author', type: 'ref(user)' },
      { name: 'b', type: 'boolean' },
      { name: 'd', type: 'datetime' },
      { name: 'i', type: 'integer' },
      { name: 'j', type: 'json' },
      { name: 'n', type: 'number' },
      { name: 'parent', type: 'ref(folder)' },
      { name: 'pic', type: 'asset' },
      { name: 'seq', type: 'sequence' },
      { name: 'title', type: 'string' },
    ]);
    expect(listing.record_types.folder).toEqual({ fields: [] });
  });

  it('validates names and types', async () => {
    await expect(store.createSchema({ _x: { fields: [] } })).rejects.toMatchObject({ code: 108 });
    await expect(store.createSchema({ note: { fields: [{ name: '_x', type: 'string' }] } })).rejects.toMatchObject({ code: 108 });
    await expect(store.createSchema({ note: { fields: [{ name: 'x', type: 'str' }] } })).rejects.toMatchObject({ code: 108, info: { arguments: ['str'] } });
    await expect(store.createSchema({ note: { fields: [{ name: 'x', type: 'location' }] } })).rejects.toMatchObject({ code: 111 });
    await store.createSchema({ note: { fields: [{ name: 'x', type: 'string' }] } });
    await expect(store.createSchema({ note: { fields: [{ name: 'x', type: 'boolean' }] } })).rejects.toMatchObject({ code: 114 });
  });

  it('renames and deletes fields; DB failures answer 110', async () => {
    await store.createSchema({ note: { fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'number' }] } });
    expect((await store.renameField('note', 'a', 'c')).record_types.note.fields).toEqual([
      { name: 'b', type: 'number' },
      { name: 'c', type: 'string' },
    ]);
    expect((await store.deleteField('note', 'b')).record_types.note.fields).toEqual([{ name: 'c', type: 'string' }]);
    await expect(store.renameField('note', 'nope', 'x')).rejects.toMatchObject({ code: 110 });
    await expect(store.deleteField('ghost', 'x')).rejects.toMatchObject({ code: 110 });
    await expect(store.renameField('note', 'c', '_c')).rejects.toMatchObject({ code: 108 });
  });

  it('stores default and creation access per type', async () => {
    expect(await store.setDefaultAccess('note', [{ public: true, level: 'read' }])).toEqual([{ public: true, level: 'read' }]);
    await expect(store.setDefaultAccess('note', [{ public: true, level: 'own' }])).rejects.toMatchObject({ code: 108 });
    expect(await store.setCreationAccess('note', ['writer', 'admin', 'writer'])).toEqual(['admin', 'writer']);
    const roles = (await shared.db.query(`SELECT id FROM "${schema}"._role ORDER BY id`)).rows.map((r) => r.id);
    expect(roles).toEqual(['Admin', 'admin', 'writer']);
  });

  it('stays consistent when another server process changes the schema', async () => {
    const nodeB = makeStore(shared.db, schema);
    await store.save(alice, '_public', [{ _id: 'note/1', a: 'x' }], req);
    // B caches the catalog now.
    expect((await nodeB.query(alice, '_public', { recordType: 'note' })).records).toHaveLength(1);
    // A adds a column: B sees the field, can query it and write it.
    await store.save(alice, '_public', [{ _id: 'note/2', added: 5 }], req);
    const viaB = await nodeB.query(alice, '_public', { recordType: 'note', predicate: ['eq', kp('added'), 5] });
    expect(viaB.records).toEqual([expect.objectContaining({ _id: 'note/2', added: 5 })]);
    expect(await nodeB.save(alice, '_public', [{ _id: 'note/3', added: 6 }], req)).toEqual([expect.objectContaining({ added: 6 })]);
    // A drops a column B still has cached: B's save re-creates it (dev mode) instead of failing.
    await nodeB.query(alice, '_public', { recordType: 'note', predicate: ['eq', kp('a'), 'x'] });
    await store.deleteField('note', 'a');
    expect(await nodeB.save(alice, '_public', [{ _id: 'note/4', a: 'y' }], req)).toEqual([expect.objectContaining({ a: 'y' })]);
    // A new type made by A is visible to B.
    await store.save(alice, '_public', [{ _id: 'fresh/1', t: 1 }], req);
    expect((await nodeB.query(alice, '_public', { recordType: 'fresh', count: true })).count).toBe(1);
  });
});
