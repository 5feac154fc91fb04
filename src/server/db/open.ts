import { countStatements } from './counting';
import type { Driver } from './driver';
import { PgliteDriver } from './pglite';
import { PostgresDriver } from './postgres';

export interface DriverOptions {
  onError?: (err: unknown) => void;
  /** PostgreSQL pool size (Config.pgPoolMax); PGlite has one session whatever this says. */
  poolMax?: number;
  /** Named statements on PostgreSQL (Config.pgPreparedStatements). */
  preparedStatements?: boolean;
  /** Count every statement (Config.statementStats; bench/ only, see counting.ts). */
  countStatements?: boolean;
}

/**
 * DATABASE_URL picks the engine: postgres:// or postgresql:// → PostgreSQL; memory:// → PGlite in
 * memory; anything else (or absent) → PGlite stored in that directory (default ./data/pgdata).
 */
export async function openDriver(databaseUrl: string | undefined, searchPath: string, options: DriverOptions = {}): Promise<Driver> {
  const driver = await openEngine(databaseUrl, searchPath, options);
  return options.countStatements ? countStatements(driver) : driver;
}

async function openEngine(databaseUrl: string | undefined, searchPath: string, options: DriverOptions): Promise<Driver> {
  const url = databaseUrl ?? '';
  const { onError } = options;
  if (/^postgres(ql)?:\/\//.test(url)) {
    return new PostgresDriver(url, searchPath, { onError, poolMax: options.poolMax ?? 10, preparedStatements: options.preparedStatements ?? true });
  }
  if (url === 'memory://' || url === 'memory') return PgliteDriver.open(undefined, searchPath, onError);
  const dir = url.replace(/^(file|pglite):\/\//, '') || './data/pgdata';
  return PgliteDriver.open(dir, searchPath, onError);
}
