import pg from 'pg';
import { openDriver } from '../../../src/server/db/open';
import type { Driver } from '../../../src/server/db/driver';
import { isStalePlan, PreparedNames } from '../../../src/server/db/prepared';
import { loadConfig } from '../../../src/server/core/config';
import { isPostgres, testDatabaseUrl, uniqueAppName } from '../../support/database';

describe('PreparedNames', () => {
  it('names a text the same way until invalidated, then under a new name', () => {
    const names = new PreparedNames();
    const first = names.nameFor('SELECT $1::int');
    expect(first).toMatch(/^s0_[0-9a-f]{24}$/);
    expect(names.nameFor('SELECT $1::int')).toBe(first);
    expect(names.nameFor('SELECT $1::text')).not.toBe(first);
    names.invalidate();
    expect(names.nameFor('SELECT $1::int')).toMatch(/^s1_/);
  });

  it('leaves texts unnamed beyond its limit', () => {
    const names = new PreparedNames(2);
    expect(names.nameFor('a')).toBeDefined();
    expect(names.nameFor('b')).toBeDefined();
    expect(names.nameFor('c')).toBeUndefined();
    expect(names.nameFor('a')).toBeDefined();
  });

  it('is on unless PG_PREPARED_STATEMENTS turns it off', () => {
    expect(loadConfig({}).pgPreparedStatements).toBe(true);
    for (const off of ['off', '0', 'false', 'NO']) expect(loadConfig({ PG_PREPARED_STATEMENTS: off }).pgPreparedStatements).toBe(false);
  });
});

/**
 * The PostgreSQL driver's prepared statements against a real server: they are really prepared, and a
 * table changed by another connection (a stale plan) costs at most the one statement that finds out.
 * PGlite has no named statements through our driver (and one connection), so these run on PostgreSQL.
 */
(isPostgres() ? describe : describe.skip)('prepared statements on PostgreSQL', () => {
  const schema = uniqueAppName();
  let db: Driver;
  let other: pg.Client;

  beforeAll(async () => {
    db = await openDriver(testDatabaseUrl(), `${schema},public`);
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query('CREATE TABLE item (id text PRIMARY KEY, label text)');
    await db.query("INSERT INTO item VALUES ('a', 'first')");
    other = new pg.Client({ connectionString: testDatabaseUrl() });
    await other.connect();
  });

  afterAll(async () => {
    await other.end();
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  it('prepares a statement with parameters once per connection, and not one without', async () => {
    const session = await db.connect();
    try {
      await session.query('SELECT t.* FROM item t WHERE t.id = $1', ['a']);
      await session.query('SELECT t.* FROM item t WHERE t.id = $1', ['a']);
      await session.query('SELECT 42');
      const { rows } = await session.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements WHERE from_sql = false');
      expect(rows.map((r) => r.statement)).toEqual(['SELECT t.* FROM item t WHERE t.id = $1']);
    } finally {
      session.release();
    }
  });

  it('outside a transaction, a statement whose table gained a column is prepared again and answers', async () => {
    const text = 'SELECT t.* FROM item t WHERE t.id = $1';
    expect((await db.query(text, ['a'])).rows[0]).toEqual({ id: 'a', label: 'first' });
    await other.query(`ALTER TABLE ${schema}.item ADD COLUMN extra_one integer`);
    expect((await db.query(text, ['a'])).rows[0]).toEqual({ id: 'a', label: 'first', extra_one: null });
  });

  it('a column added through this driver does not leave other pooled connections with stale statements', async () => {
    const text = 'SELECT t.* FROM item t WHERE t.id = $1';
    await Promise.all(Array.from({ length: 10 }, () => db.transaction((tx) => tx.query(text, ['a']))));
    await db.transaction((tx) => tx.query('ALTER TABLE item ADD COLUMN extra_own integer'));
    const results = await Promise.all(Array.from({ length: 10 }, () => db.transaction((tx) => tx.query<Record<string, unknown>>(text, ['a']))));
    for (const { rows } of results) expect(rows[0]).toHaveProperty('extra_own', null);
  });

  it('inside a transaction, it fails that transaction only; the connection is dropped and the next one works', async () => {
    const text = 'SELECT t.* FROM item t WHERE t.id = $1 FOR UPDATE';
    // Prepare it on every pooled connection the transactions below may get.
    await Promise.all(Array.from({ length: 10 }, () => db.transaction((tx) => tx.query(text, ['a']))));
    await other.query(`ALTER TABLE ${schema}.item ADD COLUMN extra_two integer`);
    const first = await db.transaction((tx) => tx.query(text, ['a'])).then(() => undefined, (err: unknown) => err);
    expect(isStalePlan(first)).toBe(true);
    for (let i = 0; i < 10; i++) {
      const { rows } = await db.transaction((tx) => tx.query<Record<string, unknown>>(text, ['a']));
      expect(rows[0]).toHaveProperty('extra_two', null);
    }
  });
});
