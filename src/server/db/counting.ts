import type { Driver, QueryResult, Session, Tx } from './driver';
import { currentTx, runInTx } from './tx-scope';

/**
 * Statement counting for measurements (`STATEMENT_STATS=1` → Config.statementStats → openDriver;
 * never on in production). PostgreSQL's pg_stat_statements needs a server restart with shared_preload_libraries,
 * which CI and most hosts do not have, so the benchmark counts at the Driver instead.
 *
 * Every statement the process sends is counted once, whichever way it travels: driver.query, a
 * transaction's Tx, a Tx found through currentTx() (the plugin pool does that), or a connect()
 * session. The driver's own BEGIN/COMMIT are counted as two control statements per transaction.
 */
export interface StatementStats {
  /** Data statements (SELECT/INSERT/UPDATE/DELETE/DDL…). */
  statements: number;
  /** BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE/SET. */
  control: number;
  /** Top-level transactions opened through driver.transaction. */
  transactions: number;
  /** Data statements by their first 100 characters (whitespace collapsed), for diagnosis. */
  byText: Map<string, number>;
}

const stats: StatementStats = { statements: 0, control: 0, transactions: 0, byText: new Map() };

const CONTROL = /^\s*(BEGIN|START|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|SET)\b/i;

function record(text: string): void {
  if (CONTROL.test(text)) {
    stats.control++;
    return;
  }
  stats.statements++;
  // Long enough to name the table of a statement with a long column list (e.g. the field ACL load).
  const key = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  stats.byText.set(key, (stats.byText.get(key) ?? 0) + 1);
}

/** A copy of the counters since the last reset (process-wide: every counting driver adds to them). */
export function statementStats(): StatementStats {
  return { ...stats, byText: new Map(stats.byText) };
}

export function resetStatementStats(): void {
  stats.statements = 0;
  stats.control = 0;
  stats.transactions = 0;
  stats.byText.clear();
}

function countingTx(tx: Tx): Tx {
  return {
    query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      record(text);
      return tx.query<R>(text, params);
    },
    afterCommit: (fn) => tx.afterCommit(fn),
    afterEnd: (fn) => tx.afterEnd(fn),
  };
}

/** Wraps a driver so every statement it runs is counted (see statementStats). */
export function countStatements(inner: Driver): Driver {
  return {
    kind: inner.kind,
    query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      const tx = currentTx();
      if (tx) return tx.query<R>(text, params); // a counting Tx: counted there
      record(text);
      return inner.query<R>(text, params);
    },
    transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const outer = currentTx();
      if (outer) return fn(outer);
      return inner.transaction(async (tx) => {
        stats.transactions++;
        stats.control += 2; // the driver's BEGIN and COMMIT
        const counted = countingTx(tx);
        // Re-scope so currentTx() (hooks, the plugin pool) sees the counting Tx, not the raw one.
        return runInTx(counted, () => fn(counted));
      });
    },
    async connect(): Promise<Session> {
      const session = await inner.connect();
      return {
        query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
          record(text);
          return session.query<R>(text, params);
        },
        release: (err?: unknown) => session.release(err),
      };
    },
    close: () => inner.close(),
  };
}
