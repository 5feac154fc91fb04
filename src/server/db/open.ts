import pg from 'pg';
import { countStatements } from './counting';
import type { Driver } from './driver';
import { PgliteDriver } from './pglite';
import { PostgresDriver } from './postgres';
import { INT8_OID, TIMESTAMP_OID, parseInt8, parseUtcTimestamp } from './type-parsers';

pg.types.setTypeParser(TIMESTAMP_OID, parseUtcTimestamp);
pg.types.setTypeParser(INT8_OID, parseInt8);

/**
 * DATABASE_URL picks the engine: postgres:// or postgresql:// → PostgreSQL; memory:// → PGlite in
 * memory; anything else (or absent) → PGlite stored in that directory (default ./data/pgdata).
 */
export async function openDriver(databaseUrl: string | undefined, searchPath: string, onError?: (err: unknown) => void): Promise<Driver> {
  const driver = await openEngine(databaseUrl, searchPath, onError);
  // Measurement mode for bench/ (statements per send): counts every statement, see counting.ts.
  return process.env.STATEMENT_STATS === '1' ? countStatements(driver) : driver;
}

async function openEngine(databaseUrl: string | undefined, searchPath: string, onError?: (err: unknown) => void): Promise<Driver> {
  const url = databaseUrl ?? '';
  if (/^postgres(ql)?:\/\//.test(url)) return new PostgresDriver(url, searchPath, onError);
  if (url === 'memory://' || url === 'memory') return PgliteDriver.open(undefined, searchPath, onError);
  const dir = url.replace(/^(file|pglite):\/\//, '') || './data/pgdata';
  return PgliteDriver.open(dir, searchPath, onError);
}
