import type { QueryRequest } from '../../../src/server/store/store';
import { anonAuth, makeStore, masterAuth, req, SharedDb, userAuth } from './support';

const kp = (v: string) => ({ $type: 'keypath', $val: v });
const date = (d: string) => ({ $type: 'date', $date: d });

describe('record store: query (§4.7)', () => {
  let shared: SharedDb;
  let schema: string;
  let store: ReturnType<typeof makeStore>;
  const alice = userAuth('alice');
  const bob = userAuth('bob');

  const keys = async (predicate: unknown, extra: Partial<QueryRequest> = {}, auth = alice) =>
    (await store.query(auth, '_public', { recordType: 'book', predicate, sort: [[kp('_id'), 'asc']], ...extra })).records.map((r) =>
      r._id.slice('book/'.length),
    );

  beforeAll(async () => {
    shared = await SharedDb.open();
    schema = await shared.newSchema();
    store = makeStore(shared.db, schema);
    await store.save(alice, '_public', [{ _id: 'user/alice', username: 'alice' }], req);
    await store.save(bob, '_public', [{ _id: 'user/bob', username: 'bob', _access: [] }], req);
    await store.save(alice, '_public', [
      { _id: 'author/tolkien', name: 'Tolkien', born: 1892 },
      { _id: 'author/hidden', name: 'Hidden', _access: [] },
    ], req);
    await store.save(
      alice,
      '_public',
      [
        { _id: 'book/b1', title: 'The Hobbit', pages: 310, tags: ['fantasy', 'classic'], published: date('1937-09-21T00:00:00Z'), author: { $type: 'ref', $id: 'author/tolkien' } },
        { _id: 'book/b2', title: 'the silmarillion', pages: 365, tags: ['fantasy'], published: date('1977-09-15T00:00:00Z'), author: { $type: 'ref', $id: 'author/tolkien' } },
        { _id: 'book/b3', title: 'Dune', pages: 412, tags: ['scifi'], published: date('1965-08-01T00:00:00Z'), author: { $type: 'ref', $id: 'author/hidden' } },
        { _id: 'book/b4', title: 'Untitled', tags: [] },
      ],
      req,
    );
    await store.save(bob, '_public', [{ _id: 'book/b5', title: 'Bob’s', pages: 1 }], req);
  });
  afterAll(async () => shared.close());

  it('supports every comparison operator', async () => {
    expect(await keys(['eq', kp('title'), 'Dune'])).toEqual(['b3']);
    expect(await keys(['neq', kp('title'), 'Dune'])).toEqual(['b1', 'b2', 'b4', 'b5']);
    expect(await keys(['gt', kp('pages'), 365])).toEqual(['b3']);
    expect(await keys(['gte', kp('pages'), 365])).toEqual(['b2', 'b3']);
    expect(await keys(['lt', kp('pages'), 310])).toEqual(['b5']);
    expect(await keys(['lte', kp('pages'), 310])).toEqual(['b1', 'b5']);
    expect(await keys(['like', kp('title'), 'The%'])).toEqual(['b1']);
    expect(await keys(['ilike', kp('title'), 'the%'])).toEqual(['b1', 'b2']);
    expect(await keys(['lt', kp('published'), date('1970-01-01T00:00:00Z')])).toEqual(['b1', 'b3']);
  });

  it('handles null with eq/neq', async () => {
    expect(await keys(['eq', kp('pages'), null])).toEqual(['b4']);
    expect(await keys(['neq', kp('published'), null])).toEqual(['b1', 'b2', 'b3']);
  });

  it('supports both in forms', async () => {
    expect(await keys(['in', kp('title'), ['Dune', 'Untitled', 'nope']])).toEqual(['b3', 'b4']);
    expect(await keys(['in', kp('title'), []])).toEqual([]);
    expect(await keys(['in', 'fantasy', kp('tags')])).toEqual(['b1', 'b2']);
  });

  it('combines with and/or/not', async () => {
    expect(await keys(['and', ['in', 'fantasy', kp('tags')], ['gt', kp('pages'), 320]])).toEqual(['b2']);
    expect(await keys(['or', ['eq', kp('title'), 'Dune'], ['lt', kp('pages'), 5]])).toEqual(['b3', 'b5']);
    // SQL three-valued logic, as in Go: b5 has no tags at all, so NOT (NULL) excludes it.
    expect(await keys(['not', ['in', 'fantasy', kp('tags')]])).toEqual(['b3', 'b4']);
  });

  it('queries through a ref with ref.field (LEFT JOIN, no duplicates)', async () => {
    expect(await keys(['eq', kp('author.name'), 'Tolkien'])).toEqual(['b1', 'b2']);
    expect(await keys(['gt', kp('author.born'), 1800])).toEqual(['b1', 'b2']);
  });

  it('queries system columns: _id without type, _owner alias, _created_at', async () => {
    expect(await keys(['eq', kp('_id'), 'b2'])).toEqual(['b2']);
    expect(await keys(['eq', kp('_owner'), 'bob'])).toEqual(['b5']);
    expect(await keys(['eq', kp('_owner_id'), 'bob'])).toEqual(['b5']);
    expect(await keys(['gt', kp('_created_at'), date('2000-01-01T00:00:00Z')])).toHaveLength(5);
  });

  it('answers 120 for unknown keypaths and 108 for bad structure', async () => {
    await expect(keys(['eq', kp('nope'), 1])).rejects.toMatchObject({ code: 120 });
    await expect(keys(['eq', kp('title.x'), 1])).rejects.toMatchObject({ code: 120 });
    await expect(keys(['eq', kp('author.name.x'), 1])).rejects.toMatchObject({ code: 120 });
    await expect(keys(['not', []])).rejects.toMatchObject({ code: 108, message: expect.stringMatching(/^failed to construct query/) });
    await expect(keys(['gt', kp('pages'), 'many'])).rejects.toMatchObject({ code: 108 });
  });

  it('sorts, pages and counts the total ignoring limit/offset', async () => {
    const res = await store.query(alice, '_public', {
      recordType: 'book',
      sort: [[kp('pages'), 'desc']],
      predicate: ['neq', kp('pages'), null],
      limit: 2,
      offset: 1,
      count: true,
    });
    expect(res.records.map((r) => r.pages)).toEqual([365, 310]);
    expect(res.count).toBe(4);
    const noCount = await store.query(alice, '_public', { recordType: 'book', limit: 1 });
    expect(noCount.count).toBeUndefined();
    expect(noCount.records).toHaveLength(1);
    await expect(store.query(alice, '_public', { recordType: 'book', limit: -1 })).rejects.toMatchObject({ code: 108 });
    await expect(store.query(alice, '_public', { recordType: '' })).rejects.toMatchObject({ code: 108, message: 'recordType cannot be empty' });
  });

  it('returns [] and count 0 for an unknown record type', async () => {
    expect(await store.query(alice, '_public', { recordType: 'nothing', count: true })).toEqual({ records: [], count: 0 });
  });

  it('projects desired_keys, keeping system fields', async () => {
    const [rec] = (await store.query(alice, '_public', { recordType: 'book', predicate: ['eq', kp('_id'), 'b1'], desiredKeys: ['title'] })).records;
    expect(Object.keys(rec).sort()).toEqual(['_access', '_created_at', '_created_by', '_id', '_ownerID', '_type', '_updated_at', '_updated_by', 'title']);
  });

  it('includes referenced records in _transient with the caller’s read ACL', async () => {
    const res = await store.query(alice, '_public', {
      recordType: 'book',
      sort: [[kp('_id'), 'asc']],
      include: { author: kp('author'), owner: kp('_owner') },
    });
    const transient = res.records.map((r) => r._transient as Record<string, { _id: string } | null>);
    expect(transient.map((t) => t.author?._id ?? null)).toEqual(['author/tolkien', 'author/tolkien', 'author/hidden', null, null]);
    expect(transient.map((t) => t.owner?._id ?? null)).toEqual(['user/alice', 'user/alice', 'user/alice', 'user/alice', null]);
    expect(transient[0].author).toMatchObject({ _type: 'record', name: 'Tolkien', born: 1892 });
    const asBob = await store.query(bob, '_public', { recordType: 'book', predicate: ['eq', kp('_id'), 'b3'], include: { author: kp('author') } });
    expect(asBob.records[0]._transient).toEqual({ author: null });
    const anon = await store.query(anonAuth, '_public', { recordType: 'book', predicate: ['eq', kp('_id'), 'b5'], include: { owner: kp('_owner_id') } });
    expect(anon.records[0]._transient).toEqual({ owner: null });
    const master = await store.query(masterAuth, '_public', { recordType: 'book', predicate: ['eq', kp('_id'), 'b5'], include: { owner: kp('_owner_id') } });
    expect(master.records[0]._transient).toEqual({ owner: expect.objectContaining({ _id: 'user/bob' }) });
    await expect(store.query(alice, '_public', { recordType: 'book', include: { t: kp('title') } })).rejects.toMatchObject({ code: 120 });
  });

  it('omits _transient when nothing is included', async () => {
    const res = await store.query(alice, '_public', { recordType: 'book', limit: 1, include: {} });
    expect(res.records[0]).not.toHaveProperty('_transient');
  });
});
