import { invalidArgument, notSupported } from '../../core/errors';

/**
 * Skygear field types (Part A §6.1) and how they map onto PostgreSQL columns (§10.3).
 * `location`/`geometry` exist only so hand-made PostGIS columns can be named; we never create them.
 */
export type FieldType =
  | { type: 'string' }
  | { type: 'number' }
  | { type: 'integer' }
  | { type: 'boolean' }
  | { type: 'datetime' }
  | { type: 'json' }
  | { type: 'ref'; target: string }
  | { type: 'asset' }
  | { type: 'sequence' }
  | { type: 'location' }
  | { type: 'geometry' }
  | { type: 'unknown'; underlying: string };

export type FieldTypeName = FieldType['type'];

/** "ref(user)" / "number" … as schema listings and schema:create spell them. */
export function formatFieldType(t: FieldType): string {
  return t.type === 'ref' ? `ref(${t.target})` : t.type;
}

const SIMPLE = new Set(['string', 'number', 'integer', 'boolean', 'datetime', 'json', 'asset', 'sequence']);

/** Parses a schema:create type name; unknown names → 108 naming the type, PostGIS types → 111. */
export function parseFieldTypeName(name: unknown): FieldType {
  if (typeof name !== 'string') throw invalidArgument('type must be a string', ['type']);
  const ref = /^ref\((.+)\)$/.exec(name);
  if (ref) {
    if (ref[1].startsWith('_')) throw invalidArgument(`invalid reference target "${ref[1]}"`, [name]);
    return { type: 'ref', target: ref[1] };
  }
  if (name === 'location' || name === 'geometry') throw notSupported(`type "${name}" needs PostGIS, which this server does not use`);
  if (SIMPLE.has(name)) return { type: name } as FieldType;
  throw invalidArgument(`unexpected type "${name}"`, [name]);
}

/** Whether a value of type `wanted` may be stored in an existing column of type `existing` (§6.1). */
export function isCompatible(existing: FieldType, wanted: FieldType): boolean {
  const numeric = (t: FieldType) => t.type === 'number' || t.type === 'integer' || t.type === 'sequence';
  if (numeric(existing) && numeric(wanted)) return true;
  if (existing.type === 'ref' && wanted.type === 'ref') return existing.target === wanted.target;
  return existing.type === wanted.type && existing.type !== 'unknown';
}

export function sameFieldType(a: FieldType, b: FieldType): boolean {
  return formatFieldType(a) === formatFieldType(b);
}

/** The PostgreSQL column type for a Skygear type we create (FK constraints are added by ddl.ts). */
export function pgColumnType(t: FieldType): string {
  switch (t.type) {
    case 'string':
    case 'ref':
    case 'asset':
      return 'text';
    case 'number':
      return 'double precision';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'timestamp without time zone';
    case 'json':
      return 'jsonb';
    case 'sequence':
      return 'serial UNIQUE';
    default:
      throw notSupported(`cannot create a column of type "${formatFieldType(t)}"`);
  }
}

/**
 * Reads a catalog column type (`format_type` output) the way Go does; `ref`/`asset`/`sequence` are
 * recognised by the caller from the FK catalog and sequences.
 */
export function fieldTypeFromPg(pgType: string): FieldType {
  switch (pgType) {
    case 'text':
    case 'citext':
    case 'character varying':
      return { type: 'string' };
    case 'double precision':
    case 'real':
    case 'numeric':
      return { type: 'number' };
    case 'integer':
    case 'bigint':
    case 'smallint':
      return { type: 'integer' };
    case 'boolean':
      return { type: 'boolean' };
    case 'timestamp without time zone':
      return { type: 'datetime' };
    case 'jsonb':
    case 'json':
      return { type: 'json' };
    default:
      if (pgType.startsWith('geometry(Point')) return { type: 'location' };
      if (pgType.startsWith('geometry')) return { type: 'geometry' };
      if (pgType.startsWith('character varying')) return { type: 'string' };
      return { type: 'unknown', underlying: pgType };
  }
}
