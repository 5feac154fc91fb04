// A caller that names no row type reads columns freely, as with pg's own QueryResultRow.
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The plugin's own small SQL interface. pg.Pool satisfies it, and so does our host's in-process pool
 * adapter. All table names are unqualified: every pool the plugin uses has the app schema first on
 * its search_path.
 */
export interface SqlResult<R = Record<string, any>> {
  rows: R[];
  rowCount: number | null;
}

export interface Queryable {
  query<R = Record<string, any>>(text: string, params?: unknown[]): Promise<SqlResult<R>>;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface SqlClient extends Queryable {
  release(err?: unknown): void;
}

export interface SqlPool extends Queryable {
  connect(): Promise<SqlClient>;
  end?(): Promise<void>;
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure
const MAX_ATTEMPTS = 5;

/**
 * Runs fn in one transaction on one client: BEGIN, fn(client), COMMIT; ROLLBACK on error. Retries a
 * few times when PostgreSQL picks the transaction as a deadlock or serialization victim, which the
 * conversation-first locking rule makes rare but cannot rule out (e.g. an atomic multi-record save).
 *
 * Inside fn use ONLY the client: PGlite has one session, so a pool.query while holding a client waits
 * for the client forever. Save hooks in the host do not come here: they work in the record's save
 * (runtime/in-host.ts).
 */
export async function withTransaction<T>(pool: SqlPool, fn: (client: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let failed: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      failed = err;
      await client.query('ROLLBACK').catch(() => undefined);
    } finally {
      client.release();
    }
    const code = (failed as { code?: unknown })?.code;
    if (typeof code !== 'string' || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw failed;
    await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
  }
}

/** "now" as a UTC `timestamp without time zone`, the column type Skygear uses. */
export const NOW_UTC = "(now() AT TIME ZONE 'UTC')";

/** A timestamp column value as a Date: drivers give Dates (UTC) or text 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC). */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'string') {
    const iso = value.includes('T') ? value : value.replace(' ', 'T');
    const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** bigint/count columns arrive as numbers (host) or strings (pg); both become numbers. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  return 0;
}
