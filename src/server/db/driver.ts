/**
 * The one SQL interface the host uses, identical on PGlite and PostgreSQL.
 *
 * `transaction` gives a Tx whose `afterCommit` callbacks run only once the data is durable; realtime
 * fan-out uses it so no event describes data a reader cannot see yet.
 */
export interface QueryResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  // A caller that names no row type reads columns freely, as with pg's own QueryResultRow.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query<R = Record<string, any>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Tx extends Queryable {
  /** Runs `fn` after COMMIT succeeds (never after a rollback). Errors in `fn` are logged, not thrown. */
  afterCommit(fn: () => void | Promise<void>): void;
  /**
   * Runs `fn` as soon as the transaction is over, committed or rolled back, before any afterCommit
   * callback: for in-process resources held for exactly the transaction's length (see
   * plugin/conversation-turns.ts). `fn` must be quick and synchronous; a throw is logged.
   */
  afterEnd(fn: () => void): void;
}

export type DriverKind = 'pglite' | 'postgres';

export interface Driver extends Queryable {
  readonly kind: DriverKind;
  /** Runs fn inside BEGIN/COMMIT (ROLLBACK on throw). Nested calls reuse the outer transaction. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A dedicated session (pg.PoolClient-like) for code that issues its own BEGIN/COMMIT, e.g. plugins. */
  connect(): Promise<Session>;
  close(): Promise<void>;
}

export interface Session extends Queryable {
  release(err?: unknown): void;
}
