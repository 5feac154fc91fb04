import type { Queryable } from '../db/driver';
import type { DatabaseScope } from './access/database-id';
import type { RecordJSON } from './codec/record-json';
import { assetNamesIn, hasUnknownColumns, recordSelectList, rowToRecord } from './codec/row-json';
import type { TableSchema } from './schema/schema-catalog';
import { qualified } from './sql-ident';
import type { StoreContext } from './store-context';

/** Row reads shared by save, fetch, delete and includes. */
export type Row = Record<string, unknown>;

/** One row by key in the given database (any database for `_union`); FOR UPDATE inside writes. */
export async function selectRow(
  ctx: StoreContext,
  q: Queryable,
  type: string,
  table: TableSchema,
  key: string,
  scope: DatabaseScope,
  forUpdate = false,
): Promise<Row | undefined> {
  const params: unknown[] = [key];
  let where = `t."_id" = $1`;
  if (scope.kind !== 'union') {
    params.push(scope.id);
    where += ` AND t."_database_id" = $2`;
  }
  const res = await q.query<Row>(
    `SELECT ${recordSelectList('t', table)} FROM ${qualified(ctx.schema, type)} t WHERE ${where}${forUpdate ? ' FOR UPDATE' : ''}`,
    params,
  );
  return res.rows[0];
}

/** Rows whose `_id` is one of `keys`, in whatever database they live (ids are unique per table). */
export async function selectRowsByKeys(ctx: StoreContext, q: Queryable, type: string, table: TableSchema, keys: string[]): Promise<Row[]> {
  if (keys.length === 0) return [];
  const placeholders = keys.map((_, i) => `$${i + 1}`).join(', ');
  const res = await q.query<Row>(
    `SELECT ${recordSelectList('t', table)} FROM ${qualified(ctx.schema, type)} t WHERE t."_id" IN (${placeholders})`,
    keys,
  );
  return res.rows;
}

/** Rows → record JSON, with asset content types looked up once for all rows. */
export async function renderRows(
  ctx: StoreContext,
  type: string,
  table: TableSchema,
  rows: Row[],
  desiredKeys?: Set<string>,
): Promise<RecordJSON[]> {
  if (hasUnknownColumns(table, rows)) {
    // Another node added a column: re-read the catalog so the next request types it properly.
    ctx.catalog.invalidate();
    table = (await ctx.catalog.table(type)) ?? table;
  }
  const names = assetNamesIn(table, rows);
  const contentTypes = names.length > 0 ? await ctx.assets.contentTypes(names) : new Map<string, string>();
  return rows.map((row) => rowToRecord(type, table, row, { assets: ctx.assets, contentTypes, desiredKeys }));
}
