import { Pool, type PoolClient } from 'pg';
import type { Driver, QueryResult, Session, Tx } from './driver';
import { CommitQueue } from './commit-queue';
import { currentTx, runInTx } from './tx-scope';
import { isConnectionLost } from './connection-errors';

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
    const client = await this.checkout();
    const queue = new CommitQueue(this.onError);
    const tx = queue.bind(wrapClient(client));
    let result: T;
    try {
      await client.query('BEGIN');
      result = await runInTx(tx, () => fn(tx));
      await client.query('COMMIT');
    } catch (err) {
      // A failed ROLLBACK means the connection is gone: hand the error to release so the pool drops it.
      const rollbackError = await client.query('ROLLBACK').then(() => undefined, (e: unknown) => e);
      client.done(rollbackError ?? (isConnectionLost(err) ? err : undefined));
      queue.end();
      throw err;
    }
    client.done();
    queue.end();
    await queue.flush();
    return result;
  }

  async connect(): Promise<Session> {
    const client = await this.checkout();
    return { ...wrapClient(client), release: (err?: unknown) => client.done(err) };
  }

  /**
   * A pooled client guarded for as long as it is checked out: pg-pool removes its own 'error'
   * listener while a client is lent, so a backend that dies then (pg_terminate_backend, a network
   * drop) would emit an unhandled 'error' and crash the process. The query in flight still fails
   * with its own error; the listener only logs. `done(err)` releases it (an error evicts it).
   */
  private async checkout(): Promise<PoolClient & { done(err?: unknown): void }> {
    const client = await this.pool.connect();
    const onLost = (err: Error) => this.onError(err);
    client.on('error', onLost);
    let released = false;
    return Object.assign(client, {
      done: (err?: unknown) => {
        if (released) return;
        released = true;
        client.off('error', onLost);
        client.release(err instanceof Error ? err : err ? new Error(String(err)) : undefined);
      },
    });
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
