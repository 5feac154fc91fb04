import { ErrorCodes, SkygearError } from '../../core/errors';
import type { FieldType } from '../schema/field-types';
import type { KeypathResolver, ResolvedKeypath } from './predicate';
import type { Catalog, TableSchema } from '../schema/schema-catalog';
import { qualified, quoteIdent } from '../sql-ident';

/** Queryable system columns (Part A §4.7); `_owner` is an alias of `_owner_id`. */
const SYSTEM_KEYPATHS: Record<string, FieldType> = {
  _id: { type: 'string' },
  _database_id: { type: 'string' },
  _owner_id: { type: 'string' },
  _created_at: { type: 'datetime' },
  _created_by: { type: 'string' },
  _updated_at: { type: 'datetime' },
  _updated_by: { type: 'string' },
};

export const unknownKeypath = (path: string, why = 'unknown keypath'): SkygearError =>
  new SkygearError(`${why} "${path}"`, ErrorCodes.RecordQueryInvalid, { keypath: path });

/**
 * Resolves keypaths against one record table; `ref.field` adds a LEFT JOIN on the referenced table
 * (a ref points at a unique `_id`, so the join never multiplies rows and no DISTINCT is needed).
 */
export class TableKeypathResolver implements KeypathResolver {
  private readonly joinAliases = new Map<string, { alias: string; target: string }>();

  constructor(
    private readonly schema: string,
    private readonly alias: string,
    private readonly table: TableSchema,
    private readonly catalog: Catalog,
  ) {}

  resolve(path: string): ResolvedKeypath {
    const parts = path.split('.');
    if (parts.length === 1) return column(this.alias, this.table, parts[0], path);
    if (parts.length > 2) throw unknownKeypath(path, 'keypath has more than two components');
    const refType = this.table.fields.get(parts[0]);
    if (!refType || refType.type !== 'ref') throw unknownKeypath(path, 'keypath does not go through a reference');
    const target = this.catalog.get(refType.target);
    if (!target) throw unknownKeypath(path);
    return column(this.joinFor(parts[0], refType.target), target, parts[1], path);
  }

  private joinFor(field: string, target: string): string {
    let join = this.joinAliases.get(field);
    if (!join) {
      join = { alias: `j${this.joinAliases.size}`, target };
      this.joinAliases.set(field, join);
    }
    return join.alias;
  }

  /** The LEFT JOINs the resolved keypaths need. */
  joinsSql(): string {
    return [...this.joinAliases]
      .map(([field, j]) => ` LEFT JOIN ${qualified(this.schema, j.target)} ${j.alias} ON ${j.alias}."_id" = ${this.alias}.${quoteIdent(field)}`)
      .join('');
  }
}

function column(alias: string, table: TableSchema, name: string, path: string): ResolvedKeypath {
  const columnName = name === '_owner' ? '_owner_id' : name;
  const type = SYSTEM_KEYPATHS[columnName] ?? (columnName.startsWith('_') ? undefined : table.fields.get(columnName));
  if (!type) throw unknownKeypath(path);
  return { sql: `${alias}.${quoteIdent(columnName)}`, type };
}
