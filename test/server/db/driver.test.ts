import { openDriver } from '../../../src/server/db/open';
import type { Driver } from '../../../src/server/db/driver';
import { afterCurrentCommit } from '../../../src/server/db/tx-scope';
import { parseWithDateParser } from '../../../src/server/db/type-parsers';
import { testDatabaseUrl, uniqueAppName } from '../../support/database';

/** The Driver contract, on whichever engine TEST_DATABASE_URL selects. */
describe(`Driver on ${testDatabaseUrl()}`, () => {
  const schema = uniqueAppName();
  let db: Driver;

  beforeAll(async () => {
    db = await openDriver(testDatabaseUrl(), `${schema},public`);
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query('CREATE TABLE counter (id text primary key, n integer not null, at timestamp)');
    await db.query("INSERT INTO counter VALUES ('a', 0, '2020-01-02 03:04:05.123456')");
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  it('decodes timestamp without time zone as UTC and bigint as number', async () => {
    const { rows } = await db.query<{ at: Date; c: number }>('SELECT at, count(*) AS c FROM counter GROUP BY at');
    expect(rows[0].at.toISOString()).toBe('2020-01-02T03:04:05.123Z');
    expect(rows[0].c).toBe(1);
  });

  it('decodes every text form of a timestamp with our UTC parser (fractions, old years, BC, infinity)', async () => {
    const literals = ['2020-01-02 03:04:05', '2020-01-02 03:04:05.1', '2020-01-02 03:04:05.12', '1999-12-31 23:59:59.999999', '2024-02-29 12:00:00.000001', '0999-01-01 00:00:00', '0042-06-01 10:00:00.5', '12345-01-01 00:00:00', '0100-01-01 00:00:00 BC', 'infinity', '-infinity'];
    const { rows } = await db.query<{ at: Date; text: string }>('SELECT t::timestamp AS at, t::timestamp::text AS text FROM unnest($1::text[]) AS t', [literals]);
    expect(rows).toHaveLength(literals.length);
    for (const row of rows) {
      const expected = parseWithDateParser(row.text);
      expect({ text: row.text, time: row.at.getTime() }).toEqual({ text: row.text, time: expected.getTime() });
    }
    expect(rows[3].at.toISOString()).toBe('1999-12-31T23:59:59.999Z');
    expect(rows[1].at.toISOString()).toBe('2020-01-02T03:04:05.100Z');
  });

  it('commits a transaction and runs afterCommit callbacks only then', async () => {
    const seen: number[] = [];
    await db.transaction(async (tx) => {
      await tx.query("UPDATE counter SET n = n + 1 WHERE id = 'a'");
      tx.afterCommit(async () => {
        const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
        seen.push(rows[0].n);
      });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([1]);
  });

  it('rolls back on throw and drops afterCommit callbacks', async () => {
    const calls: string[] = [];
    await expect(
      db.transaction(async (tx) => {
        await tx.query("UPDATE counter SET n = 100 WHERE id = 'a'");
        tx.afterCommit(() => {
          calls.push('ran');
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
    expect(rows[0].n).toBe(1);
    expect(calls).toEqual([]);
  });

  it('runs afterEnd callbacks once the transaction is over, committed or rolled back, before afterCommit', async () => {
    const order: string[] = [];
    await db.transaction(async (tx) => {
      tx.afterEnd(() => order.push('end after commit'));
      tx.afterCommit(() => {
        order.push('after commit');
      });
      await tx.query('SELECT 1');
      expect(order).toEqual([]);
    });
    await expect(
      db.transaction(async (tx) => {
        tx.afterEnd(() => order.push('end after rollback'));
        tx.afterCommit(() => {
          order.push('never');
        });
        await tx.query('SELECT 1');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // Also when the failure is PostgreSQL's (the transaction is aborted before the throw reaches us).
    await expect(
      db.transaction(async (tx) => {
        tx.afterEnd(() => order.push('end after a failed statement'));
        await tx.query('SELECT no_such_column FROM counter');
      }),
    ).rejects.toThrow(/no_such_column/);
    expect(order).toEqual(['end after commit', 'after commit', 'end after rollback', 'end after a failed statement']);
  });

  it('lets db.query inside a transaction join it, and nested transactions reuse the outer one', async () => {
    await expect(
      db.transaction(async () => {
        await db.query("UPDATE counter SET n = 50 WHERE id = 'a'");
        await db.transaction(async (inner) => {
          const { rows } = await inner.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
          expect(rows[0].n).toBe(50);
        });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
    expect(rows[0].n).toBe(1);
  });

  it('defers afterCurrentCommit work found through the async context', async () => {
    const order: string[] = [];
    await db.transaction(async () => {
      afterCurrentCommit(() => {
        order.push('published');
      });
      order.push('in transaction');
    });
    expect(order).toEqual(['in transaction', 'published']);
  });

  it('keeps concurrent increments exact (set-based SQL under transactions)', async () => {
    await db.query("UPDATE counter SET n = 0 WHERE id = 'a'");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          await tx.query("UPDATE counter SET n = n + 1 WHERE id = 'a'");
        }),
      ),
    );
    const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
    expect(rows[0].n).toBe(20);
  });

  it('hands out sessions that run their own BEGIN/COMMIT', async () => {
    const session = await db.connect();
    try {
      await session.query('BEGIN');
      await session.query("UPDATE counter SET n = 7 WHERE id = 'a'");
      await session.query('COMMIT');
    } finally {
      session.release();
    }
    const { rows } = await db.query<{ n: number }>("SELECT n FROM counter WHERE id = 'a'");
    expect(rows[0].n).toBe(7);
  });
});
