import type { Queryable } from '../../db/driver';
import { fieldTypeFromPg, type FieldType } from './field-types';
import { SYSTEM_COLUMNS } from './system-columns';

/** One record table as the catalog describes it: data columns (no `_` system columns) with their types. */
export interface TableSchema {
  name: string;
  fields: Map<string, FieldType>;
  /** Every column name, system ones included (to spot columns another node added). */
  columns: Set<string>;
}

export type Catalog = Map<string, TableSchema>;

/**
 * Record-table types read from pg_catalog (Part A §10.3): ref = text column with an FK to a record
 * table's `_id`, asset = FK to `_asset`, sequence = integer column whose `<table>_<col>_seq` exists.
 *
 * Cached, because Go re-reads it on every request; the cache is dropped after our own DDL, refreshed
 * when a read meets a column it does not know, and by callers that hit "undefined table/column"
 * (another node changed the schema), so several server processes converge.
 */
export class SchemaCatalog {
  private cached: Promise<Catalog> | null = null;
  /** Bumped by every invalidate(), so a transaction can tell that DDL happened while it ran. */
  generation = 0;

  constructor(private readonly db: Queryable, private readonly schema: string) {}

  get(): Promise<Catalog> {
    if (!this.cached) {
      const loading = loadCatalog(this.db, this.schema);
      this.cached = loading;
      loading.catch(() => {
        if (this.cached === loading) this.cached = null;
      });
    }
    return this.cached;
  }

  invalidate(): void {
    this.cached = null;
    this.generation++;
  }

  async table(type: string): Promise<TableSchema | undefined> {
    return (await this.get()).get(type);
  }

  /** The table, re-reading the catalog once if the cache does not have it (another node may have made it). */
  async tableFresh(type: string): Promise<TableSchema | undefined> {
    const cached = await this.table(type);
    if (cached) return cached;
    this.invalidate();
    return this.table(type);
  }
}

export async function loadCatalog(q: Queryable, schema: string): Promise<Catalog> {
  const columns = await q.query<{ table_name: string; column_name: string; pg_type: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS pg_type
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        AND left(c.relname, 1) <> '_'
      ORDER BY c.relname, a.attnum`,
    [schema],
  );
  const foreignKeys = await q.query<{ table_name: string; column_name: string; target: string }>(
    `SELECT cl.relname AS table_name, a.attname AS column_name, rc.relname AS target
       FROM pg_catalog.pg_constraint con
       JOIN pg_catalog.pg_class cl ON cl.oid = con.conrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = cl.relnamespace
       JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
       JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
      WHERE con.contype = 'f' AND n.nspname = $1 AND array_length(con.conkey, 1) = 1`,
    [schema],
  );
  const sequences = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'S'`,
    [schema],
  );
  const fkTarget = new Map(foreignKeys.rows.map((r) => [`${r.table_name}\u0000${r.column_name}`, r.target]));
  const sequenceNames = new Set(sequences.rows.map((r) => r.name));
  const system = new Set<string>(SYSTEM_COLUMNS);

  const catalog: Catalog = new Map();
  for (const row of columns.rows) {
    let table = catalog.get(row.table_name);
    if (!table) {
      table = { name: row.table_name, fields: new Map(), columns: new Set() };
      catalog.set(row.table_name, table);
    }
    table.columns.add(row.column_name);
    if (system.has(row.column_name)) continue;
    const target = fkTarget.get(`${row.table_name}\u0000${row.column_name}`);
    let type = fieldTypeFromPg(row.pg_type);
    if (target === '_asset') type = { type: 'asset' };
    else if (target !== undefined && !target.startsWith('_')) type = { type: 'ref', target };
    else if (type.type === 'integer' && sequenceNames.has(`${row.table_name}_${row.column_name}_seq`)) type = { type: 'sequence' };
    table.fields.set(row.column_name, type);
  }
  // Only tables with Skygear's system columns are record tables.
  for (const [name, table] of catalog) {
    if (!SYSTEM_COLUMNS.every((c) => table.columns.has(c))) catalog.delete(name);
  }
  return catalog;
}
