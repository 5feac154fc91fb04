import { randomBytes } from 'node:crypto';
import { appSchema } from '../../../src/server/config';
import type { Driver } from '../../../src/server/db/driver';
import { openDriver } from '../../../src/server/db/open';
import { ensureSystemSchema } from '../../../src/server/store/bootstrap';

export interface TestDb {
  db: Driver;
  schema: string;
  close(): Promise<void>;
}

export const testDatabaseUrl = (): string => process.env.TEST_DATABASE_URL || 'memory://';

/** A bootstrapped database on the engine TEST_DATABASE_URL picks, in its own app schema (dropped on close). */
export async function openTestDb(opts: { bootstrap?: boolean } = {}): Promise<TestDb> {
  const schema = appSchema(`t_${randomBytes(6).toString('hex')}`);
  const url = testDatabaseUrl();
  const db = await openDriver(url, `${schema}, public`);
  if (opts.bootstrap !== false) await ensureSystemSchema(db, schema);
  return {
    db,
    schema,
    async close() {
      if (db.kind === 'postgres') await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
      await db.close();
    },
  };
}
