import type { AssetUrls } from '../../core/asset-urls';
import type { FieldType } from '../schema/field-types';
import type { RecordJSON } from './record-json';
import type { TableSchema } from '../schema/schema-catalog';
import { quoteIdent } from '../sql-ident';
import { PG_TIMESTAMP_TEXT_FORMAT, rfc3339FromDate, rfc3339FromPgText } from './timestamps';

/**
 * Stored rows → record JSON exactly as Part A §4.1 describes: NULL columns omitted, `_created_at`
 * plain RFC3339 (µs), dates as `$date`, refs as `{$type:'ref',$id:'type/key'}`, assets with a freshly
 * signed `$url` and their `$content_type`.
 */
const TS_PREFIX = '__ts:';

/** `alias.*` plus a µs-exact text copy of every timestamp column (a JS Date would keep only ms). */
export function recordSelectList(alias: string, table: TableSchema): string {
  const timestamps = ['_created_at', '_updated_at', ...[...table.fields].filter(([, t]) => t.type === 'datetime').map(([n]) => n)];
  const texts = timestamps.map(
    (c) => `to_char(${alias}.${quoteIdent(c)}, '${PG_TIMESTAMP_TEXT_FORMAT}') AS ${quoteIdent(TS_PREFIX + c)}`,
  );
  return [`${alias}.*`, ...texts].join(', ');
}

type Row = Record<string, unknown>;

/** True when rows carry columns the catalog does not know (another node added them). */
export function hasUnknownColumns(table: TableSchema, rows: Row[]): boolean {
  const first = rows[0];
  return first !== undefined && Object.keys(first).some((k) => !k.startsWith(TS_PREFIX) && !table.columns.has(k));
}

export function assetNamesIn(table: TableSchema, rows: Row[]): string[] {
  const names = new Set<string>();
  for (const [field, t] of table.fields) {
    if (t.type !== 'asset') continue;
    for (const row of rows) if (typeof row[field] === 'string') names.add(row[field] as string);
  }
  return [...names];
}

export interface RenderContext {
  assets: AssetUrls;
  contentTypes: Map<string, string>;
  /** Data fields to keep (desired_keys); undefined = all. System fields are always kept. */
  desiredKeys?: Set<string>;
}

export function rowToRecord(type: string, table: TableSchema, row: Row, ctx: RenderContext): RecordJSON {
  const out: RecordJSON = { _id: `${type}/${String(row._id)}`, _type: 'record', _access: (row._access as RecordJSON['_access']) ?? null };
  if (row._owner_id) out._ownerID = String(row._owner_id);
  out._created_at = timestampText(row, '_created_at');
  if (row._created_by) out._created_by = String(row._created_by);
  out._updated_at = timestampText(row, '_updated_at');
  if (row._updated_by) out._updated_by = String(row._updated_by);
  for (const [column, value] of Object.entries(row)) {
    if (column.startsWith('_') || value === null || value === undefined) continue;
    if (ctx.desiredKeys && !ctx.desiredKeys.has(column)) continue;
    const t = table.fields.get(column);
    out[column] = t ? encodeColumn(t, value, timestampText(row, column), ctx) : encodeUntyped(value);
  }
  return out;
}

function timestampText(row: Row, column: string): string {
  const text = row[TS_PREFIX + column];
  if (typeof text === 'string') return rfc3339FromPgText(text);
  const v = row[column];
  return v instanceof Date ? rfc3339FromDate(v) : String(v);
}

function encodeColumn(t: FieldType, value: unknown, timestamp: string, ctx: RenderContext): unknown {
  switch (t.type) {
    case 'datetime':
      return { $type: 'date', $date: timestamp };
    case 'ref':
      return { $type: 'ref', $id: `${t.target}/${String(value)}` };
    case 'asset': {
      const name = String(value);
      const asset: Record<string, unknown> = { $type: 'asset', $name: name };
      const contentType = ctx.contentTypes.get(name);
      if (contentType) asset.$content_type = contentType;
      asset.$url = ctx.assets.url(name);
      return asset;
    }
    case 'unknown':
    case 'location':
    case 'geometry':
      return { $type: 'unknown', $underlying_type: t.type === 'unknown' ? t.underlying : t.type };
    case 'number':
    case 'integer':
    case 'sequence':
      return typeof value === 'string' ? Number(value) : value;
    default:
      return value;
  }
}

/** A column the cached catalog does not know yet: shown by its JS value until the catalog is re-read. */
function encodeUntyped(value: unknown): unknown {
  return value instanceof Date ? { $type: 'date', $date: rfc3339FromDate(value) } : value;
}
