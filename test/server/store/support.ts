import { randomBytes } from 'node:crypto';
import type { AssetUrls } from '../../../src/server/core/asset-urls';
import type { AuthContext } from '../../../src/server/core/auth-context';
import { appSchemaName } from '../../../src/protocol/host-tables';
import type { Driver } from '../../../src/server/db/driver';
import { openDriver } from '../../../src/server/db/open';
import { silentLogger } from '../../../src/server/core/log';
import { noHooks, type HookCall, type HookTrigger, type RecordHooks } from '../../../src/server/store/record-hooks';
import { ensureSystemSchema } from '../../../src/server/store/schema/bootstrap';
import { createRecordStore } from '../../../src/server/store/index';
import type { RecordJSON } from '../../../src/server/store/codec/record-json';

export interface TestDb {
  db: Driver;
  schema: string;
  close(): Promise<void>;
}

export const testDatabaseUrl = (): string => process.env.TEST_DATABASE_URL || 'memory://';

const randomSchema = () => appSchemaName(`t_${randomBytes(6).toString('hex')}`);

/** A database on the engine TEST_DATABASE_URL picks, in its own app schema (dropped on close). */
export async function openTestDb(opts: { bootstrap?: boolean } = {}): Promise<TestDb> {
  const schema = randomSchema();
  const db = await openDriver(testDatabaseUrl(), `${schema}, public`);
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

/**
 * One driver per test file, a fresh bootstrapped app schema per test (PGlite start-up is slow; the
 * store qualifies every table with its schema, so schemas isolate tests on one driver).
 */
export class SharedDb {
  private readonly schemas: string[] = [];
  private constructor(readonly db: Driver) {}

  static async open(): Promise<SharedDb> {
    return new SharedDb(await openDriver(testDatabaseUrl(), 'public'));
  }

  async newSchema(): Promise<string> {
    const schema = randomSchema();
    this.schemas.push(schema);
    await ensureSystemSchema(this.db, schema);
    return schema;
  }

  async close(): Promise<void> {
    if (this.db.kind === 'postgres') {
      for (const s of this.schemas) await this.db.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => undefined);
    }
    await this.db.close();
  }
}

export const userAuth = (userId: string, roles: string[] = []): AuthContext => ({ userId, roles, keyType: 'client' });
export const anonAuth: AuthContext = { userId: null, roles: [], keyType: 'client' };
export const masterAuth: AuthContext = { userId: '_god', roles: [], keyType: 'master' };

/** Asset URLs with content types read from the real `_asset` table. */
export function testAssets(db: Driver, schema: string): AssetUrls {
  return {
    url: (name) => `http://files.test/${encodeURIComponent(name)}`,
    async contentTypes(names) {
      const res = await db.query<{ id: string; content_type: string }>(
        `SELECT id, content_type FROM "${schema}"._asset WHERE id = ANY($1::text[])`,
        [names],
      );
      return new Map(res.rows.map((r) => [r.id, r.content_type]));
    },
  };
}

type HookFn = (call: HookCall) => Promise<RecordJSON | undefined | void> | RecordJSON | undefined | void;

/** An in-test RecordHooks: register functions per trigger/type; every call is logged in order. */
export class TestHooks implements RecordHooks {
  readonly calls: Array<{ trigger: HookTrigger; id: string; record: RecordJSON; original: RecordJSON | null }> = [];
  private readonly fns = new Map<string, HookFn[]>();

  on(trigger: HookTrigger, type: string, fn: HookFn): this {
    const key = `${trigger}:${type}`;
    this.fns.set(key, [...(this.fns.get(key) ?? []), fn]);
    return this;
  }

  has(trigger: HookTrigger, type: string): boolean {
    return this.fns.has(`${trigger}:${type}`);
  }

  async run(call: HookCall): Promise<RecordJSON | undefined> {
    this.calls.push({ trigger: call.trigger, id: call.record._id, record: structuredClone(call.record), original: call.original });
    let record = call.record;
    for (const fn of this.fns.get(`${call.trigger}:${call.recordType}`) ?? []) {
      const out = await fn({ ...call, record });
      if (out) record = out;
    }
    return record;
  }
}

export function makeStore(db: Driver, schema: string, opts: { hooks?: RecordHooks; devMode?: boolean } = {}) {
  return createRecordStore({
    db,
    schema,
    hooks: opts.hooks ?? noHooks,
    assets: testAssets(db, schema),
    log: silentLogger,
    devMode: opts.devMode ?? true,
  });
}

export const rid = () => randomBytes(4).toString('hex');
export const req = { requestId: 'test' };
