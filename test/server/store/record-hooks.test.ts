import { SkygearError } from '../../../src/server/core/errors';
import type { RecordJSON } from '../../../src/server/store/codec/record-json';
import { makeStore, masterAuth, req, SharedDb, TestHooks, userAuth } from './support';

describe('record store: hooks run inside the record’s transaction (Part B §4)', () => {
  let shared: SharedDb;
  let schema: string;
  let hooks: TestHooks;
  let store: ReturnType<typeof makeStore>;
  const alice = userAuth('alice');
  const rows = async (table = 'note') => (await shared.db.query(`SELECT _id FROM "${schema}"."${table}" ORDER BY _id`)).rows.map((r) => r._id);

  beforeAll(async () => {
    shared = await SharedDb.open();
  });
  afterAll(async () => shared.close());
  beforeEach(async () => {
    schema = await shared.newSchema();
    hooks = new TestHooks();
    store = makeStore(shared.db, schema, { hooks });
    await store.createSchema({ note: { fields: [{ name: 'title', type: 'string' }, { name: 'n', type: 'number' }] }, log: { fields: [{ name: 'msg', type: 'string' }] } });
  });

  it('calls before-save with the merged record and original, then after-save with the saved row', async () => {
    hooks.on('beforeSave', 'note', () => undefined).on('afterSave', 'note', () => undefined);
    await store.save(alice, '_public', [{ _id: 'note/1', title: 'a', n: 1 }], req);
    await store.save(alice, '_public', [{ _id: 'note/1', title: 'b' }], req);
    expect(hooks.calls.map((c) => [c.trigger, c.original === null ? 'new' : 'update'])).toEqual([
      ['beforeSave', 'new'],
      ['afterSave', 'new'],
      ['beforeSave', 'update'],
      ['afterSave', 'update'],
    ]);
    const before = hooks.calls[2];
    expect(before.record).toMatchObject({ _id: 'note/1', title: 'b', n: 1, _ownerID: 'alice', _updated_by: 'alice' });
    expect(before.original).toMatchObject({ title: 'a', n: 1 });
    expect(hooks.calls[3].record).toMatchObject({ title: 'b', n: 1 });
  });

  it('writes what a before-save hook returns, but never its owner/timestamp fields', async () => {
    hooks.on('beforeSave', 'note', ({ record }) => ({
      ...record,
      title: String(record.title).toUpperCase(),
      added: 'by hook',
      _ownerID: 'mallory',
      _created_by: 'mallory',
      _created_at: '2000-01-01T00:00:00Z',
    }));
    const [saved] = (await store.save(alice, '_public', [{ _id: 'note/1', title: 'quiet' }], req)) as RecordJSON[];
    expect(saved).toMatchObject({ title: 'QUIET', added: 'by hook', _ownerID: 'alice', _created_by: 'alice' });
    expect(saved._created_at).not.toBe('2000-01-01T00:00:00Z');
    const [row] = (await shared.db.query(`SELECT title, added, _owner_id FROM "${schema}".note`)).rows;
    expect(row).toEqual({ title: 'QUIET', added: 'by hook', _owner_id: 'alice' });
  });

  it('keeps the stored ACL when a before-save hook returns _access null, and applies an array', async () => {
    await store.save(alice, '_public', [{ _id: 'note/1', _access: [{ public: true, level: 'read' }] }], req);
    hooks.on('beforeSave', 'note', ({ record }) => ({ ...record, _access: null, n: 2 }));
    expect((await store.save(alice, '_public', [{ _id: 'note/1' }], req))[0]).toMatchObject({ _access: [{ public: true, level: 'read' }], n: 2 });
    hooks.on('beforeSave', 'note', ({ record }) => ({ ...record, _access: [{ role: 'x', level: 'read' }] }));
    expect((await store.save(alice, '_public', [{ _id: 'note/1' }], req))[0]).toMatchObject({ _access: [{ role: 'x', level: 'read' }] });
  });

  it('fails only the record whose before-save hook throws', async () => {
    hooks.on('beforeSave', 'note', ({ record }) => {
      if (record.title === 'bad') throw new SkygearError('no bad titles', 108);
    });
    const out = await store.save(alice, '_public', [{ _id: 'note/1', title: 'ok' }, { _id: 'note/2', title: 'bad' }], req);
    expect(out[1]).toEqual({ _type: 'error', _id: 'note/2', name: 'InvalidArgument', code: 108, message: 'no bad titles' });
    expect(await rows()).toEqual(['1']);
  });

  it('leaves NOTHING written when an after-save hook fails, including the hook’s own SQL', async () => {
    hooks
      .on('beforeSave', 'note', async ({ tx, record }) => {
        await tx.query(`INSERT INTO "${schema}".log (_id, _database_id, _owner_id, _created_at, _updated_at, msg) VALUES ($1, '', 'x', now(), now(), 'before')`, [
          `b-${record._id}`,
        ]);
      })
      .on('afterSave', 'note', () => {
        throw new Error('after-save exploded');
      });
    const out = await store.save(alice, '_public', [{ _id: 'note/1', title: 'x' }], req);
    expect(out[0]).toMatchObject({ _type: 'error', _id: 'note/1', code: 10000, message: 'after-save exploded' });
    expect(await rows('note')).toEqual([]);
    expect(await rows('log')).toEqual([]);
  });

  it('runs afterCommit callbacks only for committed records', async () => {
    const committed: string[] = [];
    hooks.on('afterSave', 'note', ({ tx, record }) => {
      tx.afterCommit(() => {
        committed.push(record._id);
      });
      if (record.title === 'fail') throw new SkygearError('nope', 102);
    });
    await store.save(alice, '_public', [{ _id: 'note/1', title: 'ok' }, { _id: 'note/2', title: 'fail' }], req);
    expect(committed).toEqual(['note/1']);
  });

  it('atomic: a failing after-save of a later record rolls back the earlier ones', async () => {
    hooks.on('afterSave', 'note', ({ record }) => {
      if (record._id === 'note/2') throw new SkygearError('refused', 102);
    });
    await expect(store.save(alice, '_public', [{ _id: 'note/1' }, { _id: 'note/2' }], { ...req, atomic: true })).rejects.toMatchObject({
      code: 115,
      info: { 'note/2': { name: 'PermissionDenied', code: 102, message: 'refused' } },
    });
    expect(await rows()).toEqual([]);
    expect(hooks.calls.map((c) => `${c.trigger}:${c.id}`)).toEqual(['afterSave:note/1', 'afterSave:note/2']);
  });

  it('migrates fields a before-save hook introduces, inside the transaction', async () => {
    hooks.on('beforeSave', 'note', ({ record }) => ({ ...record, stamp: { $type: 'date', $date: '2021-05-05T05:05:05Z' } }));
    const [saved] = await store.save(alice, '_public', [{ _id: 'note/1' }], req);
    expect(saved).toMatchObject({ stamp: { $type: 'date', $date: '2021-05-05T05:05:05Z' } });
    expect((await store.fetchSchema()).record_types.note.fields).toContainEqual({ name: 'stamp', type: 'datetime' });
  });

  it('lets hooks read their own uncommitted write through the transaction', async () => {
    let seen: unknown[] = [];
    hooks.on('afterSave', 'note', async ({ tx }) => {
      seen = (await tx.query(`SELECT title FROM "${schema}".note`)).rows;
    });
    await store.save(alice, '_public', [{ _id: 'note/1', title: 'visible' }], req);
    expect(seen).toEqual([{ title: 'visible' }]);
  });

  it('joins the record’s transaction when a hook uses the driver directly (tx-scope)', async () => {
    let seen: unknown[] = [];
    hooks
      .on('afterSave', 'note', async ({ record }) => {
        seen = (await shared.db.query(`SELECT title FROM "${schema}".note`)).rows;
        await shared.db.query(`UPDATE "${schema}".note SET n = 42 WHERE _id = $1`, [record._id.slice(5)]);
        if (record.title === 'fail') throw new SkygearError('rolled back', 102);
      });
    await store.save(alice, '_public', [{ _id: 'note/1', title: 'visible' }], req);
    expect(seen).toEqual([{ title: 'visible' }]);
    await store.save(alice, '_public', [{ _id: 'note/2', title: 'fail' }], req);
    expect((await shared.db.query(`SELECT _id, n FROM "${schema}".note ORDER BY _id`)).rows).toEqual([{ _id: '1', n: 42 }]);
  });

  it('runs delete hooks around the delete; a failing after-delete keeps the record', async () => {
    await store.save(alice, '_public', [{ _id: 'note/1' }, { _id: 'note/2' }, { _id: 'note/3' }], req);
    hooks
      .on('beforeDelete', 'note', ({ record }) => {
        if (record._id === 'note/1') throw new SkygearError('keep me', 102);
      })
      .on('afterDelete', 'note', ({ record }) => {
        if (record._id === 'note/2') throw new SkygearError('undo', 10000);
      });
    const out = await store.delete(masterAuth, '_public', ['note/1', 'note/2', 'note/3'], req);
    expect(out).toEqual([
      expect.objectContaining({ _id: 'note/1', code: 102 }),
      expect.objectContaining({ _id: 'note/2', code: 10000 }),
      { _id: 'note/3', _type: 'record' },
    ]);
    expect(await rows()).toEqual(['1', '2']);
    expect(hooks.calls.map((c) => `${c.trigger}:${c.id}`)).toEqual([
      'beforeDelete:note/1',
      'beforeDelete:note/2',
      'afterDelete:note/2',
      'beforeDelete:note/3',
      'afterDelete:note/3',
    ]);
  });
});
