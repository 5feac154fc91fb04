import type { AuthContext } from '../../core/auth-context';
import { ErrorCodes, SkygearError, invalidArgument } from '../../core/errors';
import { aclReadFilterSql, subjectOf } from '../access/record-acl';
import { resolveDatabase, type DatabaseScope } from '../access/database-id';
import { checkQueryFields, fieldAclFor, readableRecord } from '../access/field-acl-enforce';
import { loadIncludes } from './include';
import { TableKeypathResolver } from './keypath';
import { SqlParams } from './params';
import { isUndefinedObject, toSkygearError } from '../pg-errors';
import { compilePredicate, compileSort } from './predicate';
import type { DatabaseId } from '../codec/record-json';
import { renderRows, type Row } from '../record-io';
import { recordSelectList } from '../codec/row-json';
import { qualified } from '../sql-ident';
import type { QueryRequest, QueryResponse } from '../store';
import type { StoreContext } from '../store-context';
import { withFreshCatalogOnce } from '../tx-retry';

/**
 * record:query (Part A §4.7): ACL read filter (public DB, not master), predicate, sort, offset/limit,
 * optional total count, desired_keys projection and includes in `_transient`.
 */
export async function queryRecords(ctx: StoreContext, auth: AuthContext, databaseId: DatabaseId, q: QueryRequest): Promise<QueryResponse> {
  if (typeof q.recordType !== 'string' || q.recordType === '') throw invalidArgument('recordType cannot be empty', ['record_type']);
  const scope = resolveDatabase(auth, databaseId, 'read');
  const limit = optionalCount(q.limit, 'limit');
  const offset = optionalCount(q.offset, 'offset');
  const desiredKeys = parseDesiredKeys(q.desiredKeys);
  // A keypath or column the cached catalog does not know may have been added by another node: retry once.
  const stale = (err: unknown) => isUndefinedObject(err) || (err instanceof SkygearError && err.code === ErrorCodes.RecordQueryInvalid);
  try {
    return await withFreshCatalogOnce(ctx, () => run(ctx, auth, scope, q, limit, offset, desiredKeys), stale);
  } catch (err) {
    throw toSkygearError(err, 'read');
  }
}

async function run(
  ctx: StoreContext,
  auth: AuthContext,
  scope: DatabaseScope,
  q: QueryRequest,
  limit: number | undefined,
  offset: number | undefined,
  desiredKeys: Set<string> | undefined,
): Promise<QueryResponse> {
  const table = await ctx.catalog.tableFresh(q.recordType);
  if (!table) return q.count ? { records: [], count: 0 } : { records: [] };
  const fieldAcl = await fieldAclFor(ctx.db, ctx.accessSettings, auth);
  checkQueryFields(fieldAcl, q.recordType, q, auth);
  const catalog = await ctx.catalog.get();
  const resolver = new TableKeypathResolver(ctx.schema, 't', table, catalog);
  const params = new SqlParams();
  const where: string[] = [];
  if (scope.kind !== 'union') where.push(`t."_database_id" = ${params.add(scope.id)}`);
  if (scope.kind === 'public') {
    const acl = aclReadFilterSql('t', subjectOf(auth), params);
    if (acl) where.push(acl);
  }
  const predicate = compilePredicate(q.predicate, resolver, params);
  if (predicate) where.push(predicate);
  const orderBy = compileSort(q.sort, resolver);
  const from = () => `${qualified(ctx.schema, q.recordType)} t${resolver.joinsSql()}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;

  let sql = `SELECT ${recordSelectList('t', table)} FROM ${from()}`;
  if (orderBy.length) sql += ` ORDER BY ${orderBy.join(', ')}`;
  if (limit !== undefined) sql += ` LIMIT ${limit}`;
  if (offset !== undefined) sql += ` OFFSET ${offset}`;
  const rows = (await ctx.db.query<Row>(sql, params.values)).rows;
  const records = await renderRows(ctx, q.recordType, table, rows, desiredKeys);
  await loadIncludes(ctx, auth, q.recordType, table, q.include, rows, records);
  const visible = records.map((record) => readableRecord(fieldAcl, record, auth));

  if (!q.count) return { records: visible };
  const counted = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${from()}`, params.values);
  return { records: visible, count: counted.rows[0]?.n ?? 0 };
}

function optionalCount(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalidArgument(`${name} must be a non-negative integer`, [name]);
  return v;
}

function parseDesiredKeys(v: unknown): Set<string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((k) => typeof k !== 'string')) throw invalidArgument('desired_keys must be a list of strings', ['desired_keys']);
  return new Set(v as string[]);
}
