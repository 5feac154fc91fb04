import { silentLogger } from '../../../src/server/core/log';
import { noHooks } from '../../../src/server/store/record-hooks';
import { AccessSettingsCache } from '../../../src/server/store/access/access-settings';
import { SchemaCatalog } from '../../../src/server/store/schema/schema-catalog';
import type { StoreContext } from '../../../src/server/store/store-context';
import { runTransaction } from '../../../src/server/store/tx-retry';
import { makeStore, req, SharedDb, testAssets, userAuth } from './support';

/** An error shaped like the drivers' PostgreSQL errors. */
const pgError = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

describe('runTransaction retries', () => {
  let shared: SharedDb;
  let ctx: StoreContext;

  beforeAll(async () => {
    shared = await SharedDb.open();
    const schema = await shared.newSchema();
    ctx = { db: shared.db, schema, hooks: noHooks, assets: testAssets(shared.db, schema), log: silentLogger, devMode: true, catalog: new SchemaCatalog(shared.db, schema), accessSettings: new AccessSettingsCache(schema) };
    await shared.db.query(`CREATE TABLE "${schema}".counter (n int)`);
  });
  afterAll(async () => shared.close());

  const failingTimes = (times: number, code: string) => {
    let calls = 0;
    const fn = async (tx: { query: (s: string) => Promise<unknown> }) => {
      calls++;
      await tx.query(`INSERT INTO "${ctx.schema}".counter VALUES (1)`);
      if (calls <= times) throw pgError(code);
      return calls;
    };
    return { fn, calls: () => calls };
  };
  const rows = async () => (await shared.db.query(`SELECT count(*)::int AS n FROM "${ctx.schema}".counter`)).rows[0].n;

  beforeEach(async () => {
    await shared.db.query(`DELETE FROM "${ctx.schema}".counter`);
  });

  it('reruns the whole transaction after deadlocks and serialization failures', async () => {
    const deadlock = failingTimes(2, '40P01');
    expect(await runTransaction(ctx, true, deadlock.fn)).toBe(3);
    const serialization = failingTimes(1, '40001');
    expect(await runTransaction(ctx, true, serialization.fn)).toBe(2);
    // Failed attempts were rolled back: one row per successful transaction.
    expect(await rows()).toBe(2);
  });

  it('gives up after a few attempts', async () => {
    const always = failingTimes(100, '40P01');
    await expect(runTransaction(ctx, true, always.fn)).rejects.toMatchObject({ code: '40P01' });
    expect(always.calls()).toBe(4);
    expect(await rows()).toBe(0);
  });

  it('does not retry when hooks are involved (their side effects could repeat)', async () => {
    const once = failingTimes(1, '40P01');
    await expect(runTransaction(ctx, false, once.fn)).rejects.toMatchObject({ code: '40P01' });
    expect(once.calls()).toBe(1);
  });

  it('retries an undefined column/table once with a fresh catalog', async () => {
    const stale = failingTimes(1, '42703');
    const generation = ctx.catalog.generation;
    expect(await runTransaction(ctx, true, stale.fn)).toBe(2);
    expect(ctx.catalog.generation).toBeGreaterThan(generation);
    const twice = failingTimes(2, '42P01');
    await expect(runTransaction(ctx, true, twice.fn)).rejects.toMatchObject({ code: '42P01' });
  });
});

describe('concurrent schema extension from two server processes', () => {
  let shared: SharedDb;
  beforeAll(async () => {
    shared = await SharedDb.open();
  });
  afterAll(async () => shared.close());

  it('lets two nodes add fields to a new type at the same time', async () => {
    const schema = await shared.newSchema();
    const nodes = [makeStore(shared.db, schema), makeStore(shared.db, schema)];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        nodes[i % 2].save(userAuth(`u${i}`), '_public', [{ _id: `race/${i}`, [`f${i % 3}`]: i, shared: 'x' }], req),
      ),
    );
    expect(results.flat().map((r) => r._type)).toEqual(Array(6).fill('record'));
    const fields = (await nodes[0].fetchSchema()).record_types.race.fields.map((f) => f.name);
    expect(fields).toEqual(['f0', 'f1', 'f2', 'shared']);
  });

  it('serialises concurrent partial updates of one record so neither is lost', async () => {
    const schema = await shared.newSchema();
    const nodes = [makeStore(shared.db, schema), makeStore(shared.db, schema)];
    const alice = userAuth('alice');
    await nodes[0].save(alice, '_public', [{ _id: 'doc/1', a: 0, b: 0 }], req);
    await Promise.all([
      nodes[0].save(alice, '_public', [{ _id: 'doc/1', a: 1 }], req),
      nodes[1].save(alice, '_public', [{ _id: 'doc/1', b: 2 }], req),
    ]);
    const [doc] = await nodes[0].fetch(alice, '_public', ['doc/1']);
    expect(doc).toMatchObject({ a: 1, b: 2 });
  });
});
