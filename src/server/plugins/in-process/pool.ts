import type { Driver, QueryResult, Queryable, Tx } from '../../db/driver';
import { currentTx } from '../../db/tx-scope';
import { BEGIN, COMMIT, ROLLBACK, isTransactionControl } from '../../store/transaction-control';

/**
 * The `pool` in-process cloud code gets (facade `pool`, and the third argument of every hook): a
 * pg.Pool look-alike over the host's own Driver instead of skygear-node's separate pg.Pool.
 *
 * - `pool.inProcess === true` (read-only) tells cloud code it runs inside the host. Then, inside a
 *   hook, `pool.query` and clients from `pool.connect()` run IN THE SAVE'S TRANSACTION: their writes
 *   commit or roll back together with the record (the Driver joins the transaction of the current
 *   async chain, see db/tx-scope). Under skygear-node the same code runs on its own connection.
 * - Inside such a transaction a client's `BEGIN`/`COMMIT`/`ROLLBACK` become
 *   `SAVEPOINT`/`RELEASE`/`ROLLBACK TO`, so code written for its own pg connection nests safely instead
 *   of committing the host's transaction half-way. The chat plugin no longer needs this (its hooks
 *   use `options.save`, whose client refuses transaction control); it stays for third-party cloud
 *   code written for skygear-node, which opens its own transactions on `pool.connect()` clients and
 *   would otherwise commit the record's save half-way or fail.
 * - `pool.query` refuses transaction-control statements: on a real pool each query may use another
 *   connection, and here it would hijack the shared session. Use `pool.connect()` for transactions.
 * - Outside a transaction, `connect()` hands out a dedicated session. On PGlite (one session) that
 *   session holds the database until `release()`: do not call `pool.query` while holding one.
 * - Tables resolve on the app schema's search_path (qualifying them as `app_<name>.table`, as
 *   skygear-node code must, works too). Timestamps come back as UTC Dates and bigint as numbers.
 *
 * Promise and node-style callback forms are both supported, as pg offers them.
 */

type Params = unknown[] | undefined;
type QueryCallback = (err: Error | null, result?: QueryResult) => void;
type QueryConfig = { text: string; values?: unknown[] };

export interface PoolClientLike {
  query(text: string | QueryConfig, params?: Params | QueryCallback, cb?: QueryCallback): Promise<QueryResult> | void;
  release(err?: unknown): void;
}

export type ConnectCallback = (err: Error | null, client?: PoolClientLike, done?: (err?: unknown) => void) => void;


export class InProcessPool {
  declare readonly inProcess: true;

  constructor(private readonly db: Driver) {
    Object.defineProperty(this, 'inProcess', { value: true, writable: false, enumerable: true });
  }

  query(text: string | QueryConfig, params?: Params | QueryCallback, cb?: QueryCallback): Promise<QueryResult> | void {
    return withCallback(
      (sql, values) => {
        if (isTransactionControl(sql)) {
          throw new Error(`pool.query("${sql.trim()}"): transaction control needs one connection; use pool.connect() and run it on the client`);
        }
        return this.db.query(sql, values);
      },
      text,
      params,
      cb,
    );
  }

  connect(cb?: ConnectCallback): Promise<PoolClientLike> | void {
    const tx = currentTx();
    const client = tx ? Promise.resolve(new TxClient(tx)) : this.db.connect().then((session) => new SessionClient(session));
    if (!cb) return client;
    client.then(
      (c) => cb(null, c, (err?: unknown) => c.release(err)),
      (err: Error) => cb(err),
    );
  }

  /** pg.Pool API parity; the host owns the connections, so there is nothing to end. */
  async end(): Promise<void> {}

  /** pg.Pool is an EventEmitter ('error', 'connect'…); the host reports its own errors. */
  on(): this {
    return this;
  }
}

/** A dedicated session outside any host transaction. */
class SessionClient implements PoolClientLike {
  constructor(private readonly session: Queryable & { release(err?: unknown): void }) {}

  query(text: string | QueryConfig, params?: Params | QueryCallback, cb?: QueryCallback): Promise<QueryResult> | void {
    return withCallback((sql, values) => this.session.query(sql, values), text, params, cb);
  }

  release(err?: unknown): void {
    this.session.release(err);
  }
}

/** A client inside the host's transaction: the plugin's own transaction statements become savepoints. */
class TxClient implements PoolClientLike {
  /**
   * Tells cloud code its statements already run inside the host's save transaction, so work whose
   * failure fails the save anyway (a hook) may skip its own BEGIN/COMMIT (= SAVEPOINT/RELEASE round
   * trips). Code that catches its own errors and goes on must keep using BEGIN/ROLLBACK.
   */
  readonly inHostTransaction = true;
  private readonly savepoints: string[] = [];
  private static counter = 0;

  constructor(private readonly tx: Tx) {}

  query(text: string | QueryConfig, params?: Params | QueryCallback, cb?: QueryCallback): Promise<QueryResult> | void {
    return withCallback((sql, values) => this.run(sql, values), text, params, cb);
  }

  private async run(sql: string, values: Params): Promise<QueryResult> {
    if (BEGIN.test(sql)) {
      const name = `plugin_sp_${++TxClient.counter}`;
      await this.tx.query(`SAVEPOINT ${name}`);
      this.savepoints.push(name);
      return { rows: [], rowCount: 0 };
    }
    if (COMMIT.test(sql)) {
      const name = this.savepoints.pop();
      if (name) await this.tx.query(`RELEASE SAVEPOINT ${name}`);
      return { rows: [], rowCount: 0 };
    }
    if (ROLLBACK.test(sql)) {
      const name = this.savepoints.pop();
      if (name) await this.tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
      return { rows: [], rowCount: 0 };
    }
    return this.tx.query(sql, values);
  }

  /** Like a pg client handed back mid-transaction: whatever the plugin left open is undone. */
  release(): void {
    const first = this.savepoints[0];
    this.savepoints.length = 0;
    if (first) void this.tx.query(`ROLLBACK TO SAVEPOINT ${first}`).catch(() => undefined);
  }
}

/** pg's overloads: (text, cb), (text, params, cb), ({text, values}, cb), or promise forms. */
function withCallback(
  run: (sql: string, values: Params) => Promise<QueryResult>,
  text: string | QueryConfig,
  params?: Params | QueryCallback,
  cb?: QueryCallback,
): Promise<QueryResult> | void {
  const callback = typeof params === 'function' ? params : cb;
  const sql = typeof text === 'string' ? text : text.text;
  const values = typeof text === 'string' ? (typeof params === 'function' ? undefined : params) : text.values;
  const result = Promise.resolve().then(() => run(sql, values));
  if (!callback) return result;
  result.then(
    (res) => callback(null, res),
    (err: Error) => callback(err),
  );
}
