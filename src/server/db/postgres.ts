import { Pool, type PoolClient } from 'pg';
import type { Driver, QueryResult, Session, Tx } from './driver';
import { CommitQueue } from './commit-queue';
import { currentTx, runInTx } from './tx-scope';

/** PostgreSQL through node-postgres; every connection starts with the app schema on its search_path. */
export class PostgresDriver implements Driver {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;

  constructor(connectionString: string, searchPath: string, private readonly onError: (err: unknown) => void = () => undefined) {
    // The startup option sets search_path before the first query, with no extra round trip.
    this.pool = new Pool({
      connectionString,
      max: Number(process.env.PG_POOL_MAX ?? 10),
      options: `-c search_path=${searchPath.replace(/\s+/g, '')}`,
    });
    this.pool.on('error', onError);
  }

  async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    // Inside db.transaction, plain db.query calls (e.g. from hooks) belong to that transaction.
    const tx = currentTx();
    if (tx) return tx.query<R>(text, params);
    const res = await this.pool.query(text, params as unknown[]);
    return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const outer = currentTx();
    if (outer) return fn(outer);
    const client = await this.pool.connect();
    const queue = new CommitQueue(this.onError);
    const tx = queue.bind(wrapClient(client));
    let result: T;
    try {
      await client.query('BEGIN');
      result = await runInTx(tx, () => fn(tx));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw err;
    }
    client.release();
    await queue.flush();
    return result;
  }

  async connect(): Promise<Session> {
    const client = await this.pool.connect();
    return { ...wrapClient(client), release: (err?: unknown) => client.release(err as Error | undefined) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function wrapClient(client: PoolClient) {
  return {
    async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      const res = await client.query(text, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
  };
}
