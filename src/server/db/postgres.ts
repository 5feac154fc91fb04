import { Pool, types, type PoolClient } from 'pg';
import type { Driver, QueryResult, Session, Tx } from './driver';
import { CommitQueue } from './commit-queue';
import { currentTx, runInTx } from './tx-scope';
import { isConnectionLost } from '../core/connection-errors';
import { isStalePlan, PreparedNames } from './prepared';
import { INT8_OID, TIMESTAMP_OID, parseInt8, parseUtcTimestamp } from './type-parsers';

const DDL = /^\s*(ALTER|CREATE|DROP)\s/i;

export interface PostgresOptions {
  /** Connections in the pool (Config.pgPoolMax). */
  poolMax: number;
  /** Name statements so each connection prepares them once (Config.pgPreparedStatements; prepared.ts). */
  preparedStatements: boolean;
  onError?: (err: unknown) => void;
}

/**
 * This pool's value parsers (type-parsers.ts), given per pool rather than through pg.types.setTypeParser
 * so that loading the server does not change how any other pg user in the process reads timestamps.
 */
const POOL_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return parseUtcTimestamp;
    if (oid === INT8_OID) return parseInt8;
    return types.getTypeParser(oid, format);
  },
};

/** PostgreSQL through node-postgres; every connection starts with the app schema on its search_path. */
export class PostgresDriver implements Driver {
  readonly kind = 'postgres' as const;
  private readonly pool: Pool;
  /** Statement names (see prepared.ts); undefined when PG_PREPARED_STATEMENTS=off. */
  private readonly prepared: PreparedNames | undefined;
  private readonly onError: (err: unknown) => void;

  constructor(connectionString: string, searchPath: string, options: PostgresOptions) {
    const onError = (this.onError = options.onError ?? (() => undefined));
    this.prepared = options.preparedStatements ? new PreparedNames() : undefined;
    // The startup option sets search_path before the first query, with no extra round trip.
    this.pool = new Pool({
      connectionString,
      max: options.poolMax,
      options: `-c search_path=${searchPath.replace(/\s+/g, '')}`,
      types: POOL_TYPES,
    });
    this.pool.on('error', onError);
    // Every client keeps an 'error' listener for its whole life. pg-pool listens only while a client
    // is idle; a lent client whose backend dies (pg_terminate_backend, a network drop) would emit an
    // unhandled 'error' and crash the process — also in the moment between a new connection's startup
    // and our code receiving it, when a FATAL can arrive in the same read as the startup's last
    // message ('connect' is emitted synchronously before the client is handed out). The query in
    // flight fails with its own error; this only reports, and leaves idle clients to the pool's event.
    this.pool.on('connect', (client) => {
      client.on('error', (err) => {
        if (client.listenerCount('error') === 1) onError(err);
      });
    });
  }

  async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    // Inside db.transaction, plain db.query calls (e.g. from hooks) belong to that transaction.
    const tx = currentTx();
    if (tx) return tx.query<R>(text, params);
    try {
      return await this.once<R>(text, params);
    } catch (err) {
      // Outside a transaction nothing happened yet: prepare afresh and run it once more (the
      // connection that failed was dropped).
      if (!isStalePlan(err)) throw err;
      return this.once<R>(text, params);
    }
  }

  /** One statement on a pooled connection of its own (what pool.query does, with our checkout). */
  private async once<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    const client = await this.checkout();
    try {
      const res = await this.wrapClient(client).query<R>(text, params);
      client.done();
      return res;
    } catch (err) {
      client.done(isConnectionLost(err) ? err : undefined);
      throw err;
    }
  }

  /**
   * node-postgres query config: named (prepared once per connection) when it has parameters. A
   * schema change of our own renames every statement first: the other pooled connections' prepared
   * `t.*` statements would otherwise go stale (a statement prepared under the new name waits for the
   * change's lock, so it is planned on the new shape).
   */
  private statement(text: string, params?: unknown[]) {
    if (DDL.test(text)) this.prepared?.invalidate();
    const name = params && params.length > 0 ? this.prepared?.nameFor(text) : undefined;
    return name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] };
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const outer = currentTx();
    if (outer) return fn(outer);
    const client = await this.checkout();
    const queue = new CommitQueue(this.onError);
    const tx = queue.bind(this.wrapClient(client));
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
    return { ...this.wrapClient(client), release: (err?: unknown) => client.done(err) };
  }

  /** A pooled client; `done(err)` releases it (an error evicts it). Its 'error' events: see the constructor. */
  private async checkout(): Promise<PoolClient & { done(err?: unknown): void }> {
    const client = (await this.pool.connect()) as PoolClient & { preparedGeneration?: number };
    const prepared = this.prepared;
    client.preparedGeneration ??= prepared?.current;
    let released = false;
    return Object.assign(client, {
      done: (err?: unknown) => {
        if (released) return;
        released = true;
        // A connection holding statements of an older generation (prepared.ts; a stale plan starts
        // a new one) is dropped, not reused; the pool opens a fresh one when needed.
        if (!err && client.preparedGeneration !== prepared?.current) err = new Error('prepared statements of an older generation');
        client.release(err instanceof Error ? err : err ? new Error(String(err)) : undefined);
      },
    });
  }

  private wrapClient(client: PoolClient) {
    return {
      query: async <R>(text: string, params?: unknown[]): Promise<QueryResult<R>> => {
        try {
          const res = await client.query(this.statement(text, params));
          return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
        } catch (err) {
          // A stale plan: every statement gets a new name, so this connection is dropped on release.
          // Inside a transaction the statement cannot simply be repeated (the transaction is
          // aborted); the caller decides (store/tx-retry.ts reruns transactions safe to rerun).
          if (isStalePlan(err)) this.prepared?.invalidate();
          throw err;
        }
      },
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

