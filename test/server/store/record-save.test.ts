import type { ErrorItem, RecordJSON } from '../../../src/server/store/codec/record-json';
import { makeStore, masterAuth, req, SharedDb, userAuth } from './support';

describe('record store: save', () => {
  let shared: SharedDb;
  let schema: string;
  let store: ReturnType<typeof makeStore>;
  const alice = userAuth('alice');
  const sql = async (text: string, params?: unknown[]) => (await shared.db.query(text, params)).rows;

  beforeAll(async () => {
    shared = await SharedDb.open();
  });
  afterAll(async () => shared.close());
  beforeEach(async () => {
    schema = await shared.newSchema();
    store = makeStore(shared.db, schema);
  });

  const saveOne = async (auth = alice, record: Record<string, unknown>, db = '_public') => (await store.save(auth, db, [record], req))[0];

  it('creates the table on first save and returns the record JSON of §4.1', async () => {
    const due = '2020-03-01T10:00:00.123Z';
    const saved = (await saveOne(alice, {
      _id: 'note/n1',
      _access: null,
      title: 'hi',
      count: 3,
      done: false,
      tags: ['a', 'b'],
      meta: { k: 1 },
      due: { $type: 'date', $date: due },
      _created_at: 'ignored',
      _transient: { x: 1 },
    })) as RecordJSON;
    expect(saved).toEqual({
      _id: 'note/n1',
      _type: 'record',
      _access: null,
      _ownerID: 'alice',
      _created_by: 'alice',
      _updated_by: 'alice',
      _created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      _updated_at: expect.stringMatching(/Z$/),
      title: 'hi',
      count: 3,
      done: false,
      tags: ['a', 'b'],
      meta: { k: 1 },
      due: { $type: 'date', $date: due },
    });
    const cols = await sql(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'note' ORDER BY column_name`,
      [schema],
    );
    expect(cols).toEqual(
      expect.arrayContaining([
        { column_name: 'count', data_type: 'double precision' },
        { column_name: 'title', data_type: 'text' },
        { column_name: 'done', data_type: 'boolean' },
        { column_name: 'tags', data_type: 'jsonb' },
        { column_name: 'due', data_type: 'timestamp without time zone' },
      ]),
    );
    const [row] = await sql(`SELECT _database_id, _owner_id, due FROM "${schema}".note`);
    expect(row).toEqual({ _database_id: '', _owner_id: 'alice', due: new Date(due) });
  });

  it('keeps microseconds and converts zone offsets to UTC', async () => {
    const saved = (await saveOne(alice, { _id: 'note/t', due: { $type: 'date', $date: '2020-01-01T12:00:00.123456+02:00' } })) as RecordJSON;
    expect(saved.due).toEqual({ $type: 'date', $date: '2020-01-01T10:00:00.123456Z' });
  });

  it('merges onto the stored row: absent keys stay, null clears and is omitted', async () => {
    await saveOne(alice, { _id: 'note/m', title: 'a', body: 'b', n: 1 });
    const saved = (await saveOne(alice, { _id: 'note/m', title: 'A', body: null })) as RecordJSON;
    expect(saved).toMatchObject({ title: 'A', n: 1 });
    expect(saved).not.toHaveProperty('body');
    const [row] = await sql(`SELECT title, body, n FROM "${schema}".note WHERE _id = 'm'`);
    expect(row).toEqual({ title: 'A', body: null, n: 1 });
  });

  it('never changes owner and creation fields on update', async () => {
    const first = (await saveOne(alice, { _id: 'note/o', _access: [{ public: true, level: 'write' }], t: 1 })) as RecordJSON;
    const second = (await saveOne(userAuth('bob'), { _id: 'note/o', t: 2 })) as RecordJSON;
    expect(second).toMatchObject({ _ownerID: 'alice', _created_by: 'alice', _created_at: first._created_at, _updated_by: 'bob', t: 2 });
  });

  it('stores refs with an FK and returns them as $type ref; dangling refs fail with 10000', async () => {
    await saveOne(alice, { _id: 'user/alice', username: 'alice' });
    const saved = (await saveOne(alice, { _id: 'note/r', author: { $type: 'ref', $id: 'user/alice' } })) as RecordJSON;
    expect(saved.author).toEqual({ $type: 'ref', $id: 'user/alice' });
    const fk = await sql(
      `SELECT conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = 'note' AND c.contype = 'f'`,
      [schema],
    );
    expect(fk).toEqual([{ conname: 'fk_author_user__id' }]);
    const dangling = (await saveOne(alice, { _id: 'note/r2', author: { $type: 'ref', $id: 'user/ghost' } })) as ErrorItem;
    expect(dangling).toMatchObject({ _type: 'error', _id: 'note/r2', code: 10000 });
  });

  it('stores assets by name and returns $content_type and a fresh $url', async () => {
    await sql(`INSERT INTO "${schema}"._asset (id, content_type, size) VALUES ('abc-photo.png', 'image/png', 3)`);
    const saved = (await saveOne(alice, { _id: 'note/a', pic: { $type: 'asset', $name: 'abc-photo.png', $url: 'http://old' } })) as RecordJSON;
    expect(saved.pic).toEqual({ $type: 'asset', $name: 'abc-photo.png', $content_type: 'image/png', $url: 'http://files.test/abc-photo.png' });
    const missing = (await saveOne(alice, { _id: 'note/a2', pic: { $type: 'asset', $name: 'nope' } })) as ErrorItem;
    expect(missing.code).toBe(10000);
  });

  it('creates sequences as serial columns and fills them', async () => {
    const a = (await saveOne(alice, { _id: 'ticket/1', no: { $type: 'seq' } })) as RecordJSON;
    const b = (await saveOne(alice, { _id: 'ticket/2', no: { $type: 'seq' } })) as RecordJSON;
    expect([a.no, b.no]).toEqual([1, 2]);
    const c = (await saveOne(alice, { _id: 'ticket/3', no: 10 })) as RecordJSON;
    const d = (await saveOne(alice, { _id: 'ticket/4' })) as RecordJSON;
    expect([c.no, d.no]).toEqual([10, 11]);
    // A value taken by a save still in flight (nextval is not transactional) is never handed out
    // again: re-saving a record with its unchanged, lower value leaves the sequence where it is.
    const [{ taken }] = await sql(`SELECT nextval(pg_get_serial_sequence('"${schema}".ticket', 'no'))::int AS taken`);
    expect(taken).toBe(12);
    await saveOne(alice, { _id: 'ticket/1', no: 1 });
    const e = (await saveOne(alice, { _id: 'ticket/5' })) as RecordJSON;
    expect(e.no).toBe(13);
    expect((await store.fetchSchema()).record_types.ticket.fields).toEqual([{ name: 'no', type: 'sequence' }]);
  });

  it('reports bad values per record: unknown $type 108 without failing the others, geo 111', async () => {
    const out = await store.save(
      alice,
      '_public',
      [{ _id: 'note/ok', t: 1 }, { _id: 'note/bad', t: { $type: 'wat' } }, { _id: 'note/geo', g: { $type: 'geo', $lat: 1, $lng: 2 } }, { nope: 1 }, { _id: 'note/acl', _access: 'x' }],
      req,
    );
    expect(out[0]).toMatchObject({ _id: 'note/ok', t: 1 });
    expect(out[1]).toMatchObject({ _type: 'error', _id: 'note/bad', code: 108 });
    expect(out[2]).toMatchObject({ _type: 'error', _id: 'note/geo', code: 111 });
    expect(out[3]).toMatchObject({ _type: 'error', code: 108 });
    expect(out[3]).not.toHaveProperty('_id');
    expect(out[4]).toMatchObject({ _type: 'error', _id: 'note/acl', code: 108, message: '_access must be an array' });
  });

  it('rejects an empty list with 108 and writes by anonymous callers with 101', async () => {
    await expect(store.save(alice, '_public', [], req)).rejects.toMatchObject({ code: 108, message: 'expected list of record' });
    await expect(store.save({ userId: null, roles: [], keyType: 'client' }, '_public', [{ _id: 'note/x' }], req)).rejects.toMatchObject({ code: 101 });
  });

  it('auto-migrates only in dev mode or with the master key (114 otherwise)', async () => {
    await saveOne(alice, { _id: 'note/1', title: 'x' });
    const prod = makeStore(shared.db, schema, { devMode: false });
    await expect(prod.save(alice, '_public', [{ _id: 'note/2', extra: 1 }], req)).rejects.toMatchObject({
      code: 114,
      message: 'Record schema requires migration but migration is disabled.',
    });
    await expect(prod.save(alice, '_public', [{ _id: 'other/1' }], req)).rejects.toMatchObject({ code: 114 });
    expect(await prod.save(alice, '_public', [{ _id: 'note/3', title: 'known column' }], req)).toEqual([expect.objectContaining({ title: 'known column' })]);
    expect(await prod.save(masterAuth, '_public', [{ _id: 'note/4', extra: 1 }], req)).toEqual([expect.objectContaining({ extra: 1 })]);
  });

  it('answers 114 for a type conflict with the column or between records of one request', async () => {
    await saveOne(alice, { _id: 'note/1', title: 'x', n: 1 });
    await expect(saveOne(alice, { _id: 'note/2', title: 5 })).rejects.toMatchObject({ code: 114 });
    await expect(store.save(alice, '_public', [{ _id: 'note/3', z: 'a' }, { _id: 'note/4', z: true }], req)).rejects.toMatchObject({
      code: 114,
      message: 'failed to migrate record schema',
    });
    // number/integer/sequence are interchangeable
    expect(await saveOne(alice, { _id: 'note/5', n: 2 })).toMatchObject({ n: 2 });
  });

  it('answers 109 for duplicate ids across databases and unique violations', async () => {
    await saveOne(alice, { _id: 'note/dup', t: 1 }, '_private');
    expect(await saveOne(alice, { _id: 'note/dup', t: 2 })).toMatchObject({ _type: 'error', code: 109 });
    await saveOne(alice, { _id: 'user/alice', username: 'Alice' });
    expect(await saveOne(userAuth('bob'), { _id: 'user/bob', username: 'alice' })).toMatchObject({ _type: 'error', _id: 'user/bob', code: 109 });
  });

  it('atomic: any failure rolls back every record and answers 115 with info', async () => {
    await saveOne(userAuth('bob'), { _id: 'note/bobs', _access: [], t: 0 });
    const attempt = store.save(alice, '_public', [{ _id: 'note/fresh', t: 1 }, { _id: 'note/bobs', t: 2 }], { ...req, atomic: true });
    await expect(attempt).rejects.toMatchObject({
      code: 115,
      message: 'Atomic Operation rolled back due to one or more errors',
      info: { 'note/bobs': { code: 102, name: 'PermissionDenied', message: 'no permission to perform operation' } },
    });
    expect(await sql(`SELECT _id FROM "${schema}".note ORDER BY _id`)).toEqual([{ _id: 'bobs' }]);
    await expect(
      store.save(alice, '_public', [{ _id: 'note/x' }, { _id: 'note/y', v: { $type: 'wat' } }], { ...req, atomic: true }),
    ).rejects.toMatchObject({ code: 108, message: 'fails to de-serialize records', info: { arguments: 'records' } });
  });

  it('atomic: a SQL failure in a later record also rolls back earlier ones', async () => {
    const attempt = store.save(alice, '_public', [{ _id: 'note/a1', t: 1 }, { _id: 'note/a2', ref: { $type: 'ref', $id: 'note/ghost' } }], {
      ...req,
      atomic: true,
    });
    await expect(attempt).rejects.toMatchObject({ code: 115, info: { 'note/a2': expect.objectContaining({ code: 10000 }) } });
    expect(await sql(`SELECT _id FROM "${schema}".note`)).toEqual([]);
  });

  it('refuses to write to _union (111)', async () => {
    await expect(store.save(masterAuth, '_union', [{ _id: 'note/u' }], req)).rejects.toMatchObject({ code: 111 });
  });

  it('cannot delete user records, even with the master key (102)', async () => {
    await saveOne(alice, { _id: 'user/alice', username: 'alice' });
    expect(await store.delete(masterAuth, '_public', ['user/alice'], req)).toEqual([expect.objectContaining({ _type: 'error', code: 102, message: 'cannot delete user record' })]);
  });

  it('deletes: 110 for missing, 113 when referenced, success item otherwise', async () => {
    await saveOne(alice, { _id: 'note/target', t: 1 });
    await saveOne(alice, { _id: 'comment/c', note: { $type: 'ref', $id: 'note/target' } });
    const out = await store.delete(alice, '_public', ['note/none', 'note/target', 'comment/c', 'bad'], req);
    expect(out).toEqual([
      expect.objectContaining({ _type: 'error', _id: 'note/none', code: 110 }),
      expect.objectContaining({ _type: 'error', _id: 'note/target', code: 113 }),
      { _id: 'comment/c', _type: 'record' },
      expect.objectContaining({ _type: 'error', code: 108 }),
    ]);
    expect(await sql(`SELECT _id FROM "${schema}".note`)).toEqual([{ _id: 'target' }]);
  });

  it('atomic delete rolls back every delete on failure', async () => {
    await saveOne(alice, { _id: 'note/d1' });
    await expect(store.delete(alice, '_public', ['note/d1', 'note/none'], { ...req, atomic: true })).rejects.toMatchObject({
      code: 115,
      info: { 'note/none': expect.objectContaining({ code: 110 }) },
    });
    expect(await sql(`SELECT _id FROM "${schema}".note`)).toEqual([{ _id: 'd1' }]);
  });

  it('fetches by id with 110 for missing records', async () => {
    await saveOne(alice, { _id: 'note/f', t: 1 });
    expect(await store.fetch(alice, '_public', ['note/f', 'note/none', 'nothing/x'])).toEqual([
      expect.objectContaining({ _id: 'note/f', t: 1 }),
      expect.objectContaining({ _type: 'error', _id: 'note/none', code: 110 }),
      expect.objectContaining({ _type: 'error', _id: 'nothing/x', code: 110 }),
    ]);
    await expect(store.fetch(alice, '_public', ['nokey'])).rejects.toMatchObject({ code: 108 });
  });
});
