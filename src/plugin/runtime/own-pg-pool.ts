import { appSchemaName, quoteIdentifier } from '../../protocol/host-tables';
import type { SqlPool } from '../sql';

/** The plugin's own node-postgres pool (under skygear-node), with the app's schema first on its search_path. */
export function createOwnPgPool(databaseURL: string, appName: string, poolMax: number): SqlPool {
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
    options: `-c search_path=${quoteIdentifier(appSchemaName(appName))},public`,
    max: poolMax,
    types: types as never,
  });
  pool.on('error', () => undefined); // an idle client's network error must not crash the runtime
  return pool as unknown as SqlPool;
}
