import type { AuthContext } from '../core/auth-context';
import type { Tx } from '../db/driver';
import { ErrorCodes, SkygearError, invalidArgument, notFound, permissionDenied } from '../core/errors';
import { hasAccess, subjectOf } from './access/record-acl';
import { resolveDatabase, type DatabaseScope } from './access/database-id';
import { errorItem } from './codec/incoming';
import { renderRows, selectRow } from './record-io';
import { splitRecordId, type Acl, type DatabaseId, type ErrorItem } from './codec/record-json';
import { atomicFailure, reported } from './save';
import type { SaveOptions } from './store';
import { qualified } from './sql-ident';
import type { StoreContext } from './store-context';
import { runTransaction } from './tx-retry';

export type DeleteResult = { _id: string; _type: 'record' } | ErrorItem;
type Target = { id: string; type: string; key: string };

/**
 * record:delete (Part A §4.8, Part B §4.2): per id a transaction with before-delete → delete →
 * after-delete; `atomic` puts all ids in one transaction (any failure → 115, nothing deleted).
 */
export async function deleteRecords(
  ctx: StoreContext,
  auth: AuthContext,
  databaseId: DatabaseId,
  ids: unknown,
  opts: SaveOptions,
): Promise<DeleteResult[]> {
  if (!Array.isArray(ids) || ids.length === 0) throw invalidArgument('expected list of ids', ['ids']);
  const scope = resolveDatabase(auth, databaseId, 'write');
  if (scope.kind === 'union') throw new SkygearError('modifying the selected database is not supported', ErrorCodes.NotSupported);
  if (auth.userId === null) throw new SkygearError('Authentication is needed to delete records', ErrorCodes.NotAuthenticated);
  const targets = ids.map((id): Target | ErrorItem => {
    const parsed = typeof id === 'string' ? splitRecordId(id) : null;
    return parsed ? { id: id as string, ...parsed } : errorItem(invalidArgument(`invalid record id ${JSON.stringify(id)}`, ['ids']));
  });
  const valid = targets.filter((t): t is Target => !('_type' in t));
  const repeatable = (ts: Target[]) => !ts.some((t) => ctx.hooks.has('beforeDelete', t.type) || ctx.hooks.has('afterDelete', t.type));

  if (opts.atomic) {
    if (valid.length !== targets.length) throw invalidArgument('invalid record id in ids', ['ids']);
    let failing: Target | undefined;
    try {
      return await runTransaction(ctx, repeatable(valid), async (tx) => {
        const out: DeleteResult[] = [];
        for (const t of valid) {
          failing = t;
          out.push(await deleteOne(ctx, tx, auth, scope, t, opts.requestId));
        }
        return out;
      });
    } catch (err) {
      throw atomicFailure(failing?.id, err, 'delete');
    }
  }

  const results: DeleteResult[] = [];
  for (const t of targets) {
    if ('_type' in t) {
      results.push(t);
      continue;
    }
    try {
      results.push(await runTransaction(ctx, repeatable([t]), (tx) => deleteOne(ctx, tx, auth, scope, t, opts.requestId)));
    } catch (err) {
      results.push(errorItem(reported(ctx, err, 'delete'), t.id));
    }
  }
  return results;
}

async function deleteOne(
  ctx: StoreContext,
  tx: Tx,
  auth: AuthContext,
  scope: DatabaseScope & { kind: 'public' | 'private' },
  t: Target,
  requestId: string,
): Promise<DeleteResult> {
  if (t.type === 'user') throw permissionDenied('cannot delete user record');
  const table = await ctx.catalog.tableFresh(t.type);
  if (!table) throw notFound();
  const row = await selectRow(ctx, tx, t.type, table, t.key, scope, true);
  if (!row) throw notFound();
  const target = { access: (row._access ?? null) as Acl, ownerId: String(row._owner_id), databaseId: String(row._database_id) };
  if (!hasAccess(target, subjectOf(auth), 'write')) throw permissionDenied();
  const [record] = await renderRows(ctx, t.type, table, [row]);
  const call = { recordType: t.type, record, original: null, auth, requestId, tx };
  if (ctx.hooks.has('beforeDelete', t.type)) await ctx.hooks.run({ ...call, trigger: 'beforeDelete' });
  await tx.query(`DELETE FROM ${qualified(ctx.schema, t.type)} WHERE "_id" = $1 AND "_database_id" = $2`, [t.key, scope.id]);
  if (ctx.hooks.has('afterDelete', t.type)) await ctx.hooks.run({ ...call, trigger: 'afterDelete' });
  return { _id: t.id, _type: 'record' };
}
