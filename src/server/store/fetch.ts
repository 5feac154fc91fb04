import type { AuthContext } from '../core/auth-context';
import { invalidArgument, notFound, permissionDenied } from '../core/errors';
import { hasAccess, subjectOf } from './access/record-acl';
import { resolveDatabase } from './access/database-id';
import { fieldAclFor, readableRecord } from './access/field-acl-enforce';
import { errorItem } from './codec/incoming';
import { renderRows, selectRow } from './record-io';
import { splitRecordId, type Acl, type DatabaseId, type ErrorItem, type RecordJSON } from './codec/record-json';
import { toSkygearError } from './pg-errors';
import type { StoreContext } from './store-context';

/** record:fetch (Part A §4.6): records in id order, or 110/102 items. */
export async function fetchRecords(ctx: StoreContext, auth: AuthContext, databaseId: DatabaseId, ids: unknown): Promise<Array<RecordJSON | ErrorItem>> {
  if (!Array.isArray(ids) || ids.length === 0) throw invalidArgument('expected list of ids', ['ids']);
  const parsed = ids.map((id) => {
    const p = typeof id === 'string' ? splitRecordId(id) : null;
    if (!p) throw invalidArgument(`invalid record id ${JSON.stringify(id)}`, ['ids']);
    return { id: id as string, ...p };
  });
  const scope = resolveDatabase(auth, databaseId, 'read');
  const who = subjectOf(auth);
  const fieldAcl = await fieldAclFor(ctx.db, ctx.accessSettings, auth);
  const out: Array<RecordJSON | ErrorItem> = [];
  for (const t of parsed) {
    try {
      const table = await ctx.catalog.tableFresh(t.type);
      const row = table && (await selectRow(ctx, ctx.db, t.type, table, t.key, scope));
      if (!table || !row) throw notFound();
      const target = { access: (row._access ?? null) as Acl, ownerId: String(row._owner_id), databaseId: String(row._database_id) };
      if (!hasAccess(target, who, 'read')) throw permissionDenied();
      out.push(readableRecord(fieldAcl, (await renderRows(ctx, t.type, table, [row]))[0], auth));
    } catch (err) {
      out.push(errorItem(toSkygearError(err, 'read'), t.id));
    }
  }
  return out;
}
