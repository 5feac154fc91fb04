import { appSchemaName, quoteIdentifier } from '../protocol/host-tables';
import type { ChatSettings, CloudApi } from './cloud-api';

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

export interface SqlClient extends Queryable {
  release(err?: unknown): void;
  /** Set by our host's in-process pool on a client that runs inside the record save's transaction. */
  readonly inHostTransaction?: boolean;
}

export interface SqlPool extends Queryable {
  connect(): Promise<SqlClient>;
  /** Set on our host's adapter: inside a hook its queries join the record save's transaction. */
  readonly inProcess?: boolean;
  end?(): Promise<void>;
}

export interface ResolvedPool {
  pool: SqlPool;
  /**
   * True when hooks share the host's save transaction (our server). False under skygear-node, where
   * the plugin's connection cannot see the uncommitted record a hook is called for.
   */
  inProcess: boolean;
}

const RETRYABLE = new Set(['40P01', '40001']); // deadlock_detected, serialization_failure
const MAX_ATTEMPTS = 5;

/**
 * Runs fn in one transaction on one client: BEGIN, fn(client), COMMIT; ROLLBACK on error. Retries a
 * few times when PostgreSQL picks the transaction as a deadlock or serialization victim, which the
 * conversation-first locking rule makes rare but cannot rule out (e.g. an atomic multi-record save).
 *
 * Inside fn use ONLY the client: PGlite has one session, so a pool.query while holding a client waits
 * for the client forever. Under our host inside a hook, connect() hands out the save's transaction and
 * BEGIN/COMMIT become a savepoint, so the same code nests correctly.
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

/**
 * Which pool the plugin uses:
 * 1. `settings.pool` when the caller of includeme passes one;
 * 2. the host's pool when it is our in-process adapter (`pool.inProcess === true`): its queries join
 *    the record save's transaction inside hooks, so a hook's writes commit or roll back with the save;
 * 3. otherwise (skygear-node) a node-postgres v8 Pool of its own on `settings.databaseURL` with the
 *    app schema on the search_path. skygear-node's own `pool` is pg@7, which hangs on Node 20, has no
 *    search_path, and could not share the server's transaction anyway.
 */
export function resolvePool(cloud: CloudApi, settings: ChatSettings | undefined): ResolvedPool {
  if (settings?.pool) {
    const pool = settings.pool as SqlPool;
    return { pool, inProcess: pool.inProcess === true };
  }
  const hostPool = cloud.pool as SqlPool | undefined;
  if (hostPool && hostPool.inProcess === true) return { pool: hostPool, inProcess: true };
  const databaseURL = cloud.settings?.databaseURL;
  if (!databaseURL) throw new Error('chat plugin: no database (skygearCloud.settings.databaseURL is empty)');
  const appName = cloud.settings?.appName ?? '';
  return { pool: createPgPool(databaseURL, appSchemaName(appName)), inProcess: false };
}

function createPgPool(databaseURL: string, schema: string): SqlPool {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require('pg') as typeof import('pg');
  // Timestamps stay text and bigints stay strings: records.ts reads both as UTC / numbers, so the
  // plugin does not depend on the process time zone or on global pg type parsers.
  const raw = (value: string): string => value;
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === 1114 || oid === 20 ? raw : pg.types.getTypeParser(oid, format as 'text'),
  };
  const pool = new pg.Pool({
    connectionString: databaseURL,
    options: `-c search_path=${quoteIdentifier(schema)},public`,
    max: Number(process.env.PG_POOL_MAX ?? 10),
    types: types as never,
  });
  pool.on('error', () => undefined); // an idle client's network error must not crash the runtime
  return pool as unknown as SqlPool;
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
