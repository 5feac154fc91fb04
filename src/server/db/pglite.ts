import { PGlite } from '@electric-sql/pglite';
import type { Driver, QueryResult, Session, Tx } from './driver';
import { CommitQueue } from './commit-queue';
import { Mutex } from './mutex';
import { currentTx, runInTx } from './tx-scope';
import { INT8_OID, TIMESTAMP_OID, parseInt8, parseUtcTimestamp } from './type-parsers';

/**
 * Given with every statement: PGlite (0.5) rebuilds its parser table from the database's types once
 * it is ready, dropping parsers passed to its constructor, so those were silently not used (a
 * timestamp was read in the machine's local time zone instead of UTC).
 */
const QUERY_OPTIONS = { parsers: { [TIMESTAMP_OID]: parseUtcTimestamp, [INT8_OID]: parseInt8 } };

/**
 * Embedded PostgreSQL (WASM). It has exactly one session, so every statement outside a transaction
 * and every transaction as a whole takes the same lock; inside a transaction statements run directly.
 */
export class PgliteDriver implements Driver {
  readonly kind = 'pglite' as const;
  private readonly lock = new Mutex();

  private constructor(private readonly db: PGlite, private readonly onError: (err: unknown) => void) {}

  /** dataDir undefined = in memory. */
  static async open(dataDir: string | undefined, searchPath: string, onError: (err: unknown) => void = () => undefined): Promise<PgliteDriver> {
    const db = new PGlite(dataDir);
    await db.waitReady;
    const driver = new PgliteDriver(db, onError);
    driver.searchPath = searchPath;
    await db.exec(`SET search_path TO ${searchPath}`);
    return driver;
  }

  private searchPath = 'public';

  private async raw<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    // Multi-statement text without parameters (DDL scripts) needs exec; everything else is one statement.
    if ((params === undefined || params.length === 0) && isMultiStatement(text)) {
      const results = await this.db.exec(text, QUERY_OPTIONS);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], rowCount: last?.affectedRows ?? last?.rows.length ?? 0 };
    }
    const res = await this.db.query<R>(text, params as unknown[], QUERY_OPTIONS);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  }

  async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    const tx = currentTx();
    if (tx) return tx.query<R>(text, params);
    return this.lock.run(() => this.raw<R>(text, params));
  }

  async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const outer = currentTx();
    if (outer) return fn(outer);
    const queue = new CommitQueue(this.onError);
    const tx = queue.bind({ query: (text, params) => this.raw(text, params) });
    const result = await this.lock.run(async () => {
      await this.raw('BEGIN');
      try {
        const value = await runInTx(tx, () => fn(tx));
        await this.raw('COMMIT');
        return value;
      } catch (err) {
        await this.raw('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        queue.end();
      }
    });
    await queue.flush();
    return result;
  }

  async connect(): Promise<Session> {
    const release = await this.lock.acquire();
    let released = false;
    return {
      query: (text, params) => this.raw(text, params),
      release: () => {
        if (released) return;
        released = true;
        // A session handed back mid-transaction must not leak its open transaction to the next user.
        this.raw('ROLLBACK').catch(() => undefined).finally(release);
      },
    };
  }

  async close(): Promise<void> {
    await this.lock.run(() => this.db.close());
  }
}

function isMultiStatement(text: string): boolean {
  const trimmed = text.trim().replace(/;\s*$/, '');
  return trimmed.includes(';');
}
