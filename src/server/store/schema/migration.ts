import type { Driver, Queryable } from '../../db/driver';
import { ErrorCodes, SkygearError } from '../../core/errors';
import { addRecordColumn, createRecordTable, lockSchemaChanges } from './ddl';
import { formatFieldType, isCompatible, sameFieldType, type FieldType } from './field-types';
import { loadCatalog, type Catalog, type SchemaCatalog } from './schema-catalog';

/** Field types a save needs, per record type (a type with no fields still needs its table). */
export type SchemaNeeds = Map<string, Map<string, FieldType>>;

export const incompatibleSchema = (message: string): SkygearError => new SkygearError(message, ErrorCodes.IncompatibleSchema);

export const MIGRATION_DISABLED = 'Record schema requires migration but migration is disabled.';

/** Adds `type.field: fieldType` to the needs; two records disagreeing on a field's type → 114 (§6.3). */
export function addNeed(needs: SchemaNeeds, type: string, field: string | null, fieldType: FieldType | null): void {
  let fields = needs.get(type);
  if (!fields) needs.set(type, (fields = new Map()));
  if (field === null || fieldType === null) return;
  const seen = fields.get(field);
  if (!seen) fields.set(field, fieldType);
  else if (!sameFieldType(seen, fieldType) && !isCompatible(seen, fieldType)) throw incompatibleSchema('failed to migrate record schema');
}

interface MissingSchema {
  tables: string[];
  columns: Array<{ type: string; field: string; fieldType: FieldType }>;
}

/** What the catalog lacks; an existing column with an incompatible type → 114 (§6.3). */
function diff(catalog: Catalog, needs: SchemaNeeds, migrationAllowed: boolean): MissingSchema {
  const missing: MissingSchema = { tables: [], columns: [] };
  for (const [type, fields] of needs) {
    const table = catalog.get(type);
    if (!table) missing.tables.push(type);
    for (const [field, fieldType] of fields) {
      const existing = table?.fields.get(field);
      if (!existing) {
        missing.columns.push({ type, field, fieldType });
        // A ref to a type that has no table yet creates that (empty) table too.
        if (fieldType.type === 'ref' && !catalog.has(fieldType.target)) missing.tables.push(fieldType.target);
      } else if (!isCompatible(existing, fieldType)) {
        throw incompatibleSchema(
          migrationAllowed
            ? `conflicting schema {${field} ${formatFieldType(existing)}} => {${field} ${formatFieldType(fieldType)}}`
            : MIGRATION_DISABLED,
        );
      }
    }
  }
  return missing;
}

const isEmpty = (m: MissingSchema) => m.tables.length === 0 && m.columns.length === 0;

async function apply(q: Queryable, schema: string, missing: MissingSchema): Promise<void> {
  for (const type of new Set(missing.tables)) await createRecordTable(q, schema, type);
  for (const c of missing.columns) await addRecordColumn(q, schema, c.type, c.field, c.fieldType);
}

/**
 * Makes sure every needed table/column exists (auto-migration, §6.3). Runs in its own transaction
 * holding the DDL lock and re-reads the catalog under it, so concurrent nodes add each column once.
 * Returns true when it changed the schema.
 */
export async function ensureSchema(
  db: Driver,
  schema: string,
  catalog: SchemaCatalog,
  needs: SchemaNeeds,
  migrationAllowed: boolean,
): Promise<boolean> {
  let missing = diff(await catalog.get(), needs, migrationAllowed);
  if (isEmpty(missing)) return false;
  // The cache may simply be stale (another node migrated): look again before deciding.
  catalog.invalidate();
  missing = diff(await catalog.get(), needs, migrationAllowed);
  if (isEmpty(missing)) return false;
  if (!migrationAllowed) throw incompatibleSchema(MIGRATION_DISABLED);
  try {
    await db.transaction(async (tx) => {
      await lockSchemaChanges(tx, schema, db.kind);
      await apply(tx, schema, diff(await loadCatalog(tx, schema), needs, migrationAllowed));
    });
  } finally {
    catalog.invalidate();
  }
  return true;
}

/**
 * The same inside an already open transaction (fields a before-save hook introduced): DDL is
 * transactional in PostgreSQL, so a rollback also undoes the migration.
 */
export async function ensureSchemaInTx(
  tx: Queryable,
  kind: Driver['kind'],
  schema: string,
  catalog: SchemaCatalog,
  needs: SchemaNeeds,
  migrationAllowed: boolean,
): Promise<Catalog> {
  let current = await loadCatalog(tx, schema);
  const missing = diff(current, needs, migrationAllowed);
  if (isEmpty(missing)) return current;
  if (!migrationAllowed) throw incompatibleSchema(MIGRATION_DISABLED);
  await lockSchemaChanges(tx, schema, kind);
  await apply(tx, schema, diff(await loadCatalog(tx, schema), needs, migrationAllowed));
  catalog.invalidate();
  current = await loadCatalog(tx, schema);
  return current;
}
