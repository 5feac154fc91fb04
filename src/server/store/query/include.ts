import type { AuthContext } from '../../core/auth-context';
import { invalidArgument, notSupported } from '../../core/errors';
import { hasAccess, subjectOf } from '../access/record-acl';
import { unknownKeypath } from './keypath';
import type { Acl, RecordJSON } from '../codec/record-json';
import { renderRows, selectRowsByKeys, type Row } from '../record-io';
import type { TableSchema } from '../schema/schema-catalog';
import type { StoreContext } from '../store-context';

/** Columns that hold a user id and are included as `user` records (Part A §4.7). */
const USER_COLUMNS = new Set(['_owner_id', '_created_by', '_updated_by']);

/**
 * Query includes: `include: {outKey: keypath}` puts the referenced record (read with the caller's
 * ACL) into `_transient[outKey]`, or null when it is missing or unreadable.
 */
export async function loadIncludes(
  ctx: StoreContext,
  auth: AuthContext,
  type: string,
  table: TableSchema,
  include: unknown,
  rows: Row[],
  records: RecordJSON[],
): Promise<void> {
  if (include === undefined || include === null) return;
  if (typeof include !== 'object' || Array.isArray(include)) throw invalidArgument('include must be an object', ['include']);
  for (const [outKey, expr] of Object.entries(include as Record<string, unknown>)) {
    const { column, target } = includeTarget(type, table, expr);
    const keys = [...new Set(rows.map((r) => r[column]).filter((k): k is string => typeof k === 'string' && k !== ''))];
    const byKey = await readableRecords(ctx, auth, target, keys);
    rows.forEach((row, i) => {
      const transient = (records[i]._transient ??= {});
      transient[outKey] = byKey.get(row[column] as string) ?? null;
    });
  }
}

function includeTarget(type: string, table: TableSchema, expr: unknown): { column: string; target: string } {
  if (Array.isArray(expr) && expr[0] === 'func') throw notSupported('distance includes are not supported (no PostGIS)');
  const kp = expr as { $type?: unknown; $val?: unknown } | null;
  if (typeof kp !== 'object' || kp === null || kp.$type !== 'keypath' || typeof kp.$val !== 'string') {
    throw invalidArgument('failed to construct query: include expects keypaths', ['include']);
  }
  const column = kp.$val === '_owner' ? '_owner_id' : kp.$val;
  if (USER_COLUMNS.has(column)) return { column, target: 'user' };
  const t = table.fields.get(column);
  if (!t || t.type !== 'ref') throw unknownKeypath(kp.$val, `include of ${type} needs a reference keypath, not`);
  return { column, target: t.target };
}

async function readableRecords(ctx: StoreContext, auth: AuthContext, type: string, keys: string[]): Promise<Map<string, RecordJSON>> {
  const table = keys.length > 0 ? await ctx.catalog.tableFresh(type) : undefined;
  if (!table) return new Map();
  const who = subjectOf(auth);
  const rows = (await selectRowsByKeys(ctx, ctx.db, type, table, keys)).filter((r) =>
    hasAccess({ access: (r._access ?? null) as Acl, ownerId: String(r._owner_id), databaseId: String(r._database_id) }, who, 'read'),
  );
  const records = await renderRows(ctx, type, table, rows);
  return new Map(records.map((rec, i) => [String(rows[i]._id), rec]));
}
