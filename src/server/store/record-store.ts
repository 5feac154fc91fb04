import type { AuthContext } from '../core/auth-context';
import { AccessSettingsCache } from './access/access-settings';
import { deleteRecords } from './delete';
import { fetchRecords } from './fetch';
import { queryRecords } from './query/query-records';
import type { DatabaseId } from './codec/record-json';
import { saveRecords } from './save';
import { createSchemaAdmin, type SchemaAdmin } from './schema/schema-admin';
import { SchemaCatalog } from './schema/schema-catalog';
import type { QueryRequest, RecordStore, SaveOptions } from './store';
import type { RecordStoreDeps, StoreContext } from './store-context';

export type { RecordStoreDeps };

/** The record store on Skygear's PostgreSQL layout, plus schema administration. */
export function createRecordStore(deps: RecordStoreDeps): RecordStore & SchemaAdmin {
  const ctx: StoreContext = { ...deps, catalog: new SchemaCatalog(deps.db, deps.schema), accessSettings: new AccessSettingsCache(deps.schema) };
  return {
    save: (auth: AuthContext, db: DatabaseId, records: unknown[], opts: SaveOptions) => saveRecords(ctx, auth, db, records, opts),
    fetch: (auth: AuthContext, db: DatabaseId, ids: string[]) => fetchRecords(ctx, auth, db, ids),
    query: (auth: AuthContext, db: DatabaseId, query: QueryRequest) => queryRecords(ctx, auth, db, query),
    delete: (auth: AuthContext, db: DatabaseId, ids: string[], opts: SaveOptions) => deleteRecords(ctx, auth, db, ids, opts),
    ...createSchemaAdmin(ctx),
  };
}
