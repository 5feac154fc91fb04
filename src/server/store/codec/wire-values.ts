import { ErrorCodes, SkygearError, invalidArgument, notSupported } from '../../core/errors';
import type { FieldType } from '../schema/field-types';
import { splitRecordId } from './record-json';
import { isRfc3339 } from './timestamps';
import { checkTypedValues } from './typed-values';

/**
 * Wire values (Part A §4.2) ↔ column values.
 *
 * A decoded value knows the Skygear type it implies (for auto-migration, §6.3) and what to bind.
 */
export type Decoded =
  | { kind: 'null' }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'datetime'; value: string }
  | { kind: 'json'; value: unknown }
  | { kind: 'ref'; target: string; key: string }
  | { kind: 'asset'; name: string }
  /** `{$type:"seq"}`: use the column's sequence; nothing is written. */
  | { kind: 'sequence' }
  /** `{$type:"unknown"}`: read-only values the client echoes back; silently not written. */
  | { kind: 'unknown' };

/** `$type`s that name PostGIS or query-only values: valid protocol, but we do not store them. */
const UNSUPPORTED_TYPES = new Set(['geo', 'geojson', 'relation', 'record', 'blob', 'keypath']);

export function decodeValue(raw: unknown, field: string): Decoded {
  if (raw === null) return { kind: 'null' };
  switch (typeof raw) {
    case 'string':
      return { kind: 'string', value: raw };
    case 'number':
      if (!Number.isFinite(raw)) throw invalidArgument(`field "${field}" is not a finite number`, [field]);
      return { kind: 'number', value: raw };
    case 'boolean':
      return { kind: 'boolean', value: raw };
    case 'object':
      if (Array.isArray(raw)) return decodedJson(raw, field);
      return decodeObject(raw as Record<string, unknown>, field);
    default:
      throw invalidArgument(`field "${field}" has an unsupported value`, [field]);
  }
}

function decodeObject(obj: Record<string, unknown>, field: string): Decoded {
  const $type = obj.$type;
  if ($type === undefined) return decodedJson(obj, field);
  switch ($type) {
    case 'date': {
      const d = obj.$date;
      if (typeof d !== 'string' || !isRfc3339(d)) throw invalidArgument(`field "${field}": invalid $date`, [field]);
      return { kind: 'datetime', value: d };
    }
    case 'ref': {
      const id = typeof obj.$id === 'string' ? splitRecordId(obj.$id) : null;
      if (!id) throw invalidArgument(`field "${field}": ref $id must be "<type>/<key>"`, [field]);
      return { kind: 'ref', target: id.type, key: id.key };
    }
    case 'asset': {
      if (typeof obj.$name !== 'string' || obj.$name === '') throw invalidArgument(`field "${field}": asset needs $name`, [field]);
      return { kind: 'asset', name: obj.$name };
    }
    case 'seq':
      return { kind: 'sequence' };
    case 'unknown':
      return { kind: 'unknown' };
    default:
      if (typeof $type === 'string' && UNSUPPORTED_TYPES.has($type)) {
        throw notSupported(`field "${field}": values of $type "${$type}" are not supported`);
      }
      throw invalidArgument(`field "${field}": unknown $type ${JSON.stringify($type)}`, [field]);
  }
}

/**
 * A JSON field's value: stored as it is, but the `$type` values nested in it must be well formed,
 * since hooks and readers decode them (skygear-core's fromJSON walks every level).
 */
function decodedJson(value: object, field: string): Decoded {
  checkTypedValues(value, field);
  return { kind: 'json', value };
}

/** The type a decoded value implies for auto-migration; null when it implies none. */
export function impliedType(v: Decoded): FieldType | null {
  switch (v.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'datetime':
    case 'json':
    case 'asset':
      return { type: v.kind };
    case 'ref':
      return { type: 'ref', target: v.target };
    case 'sequence':
      return { type: 'sequence' };
    default:
      return null;
  }
}

/** Whether the value is written to its column (`seq` and `unknown` are not). */
export const isWritable = (v: Decoded): boolean => v.kind !== 'sequence' && v.kind !== 'unknown';

/** The bind value for a decoded value; the caller wraps the placeholder via `bindSql`. */
export function bindValue(v: Decoded): unknown {
  switch (v.kind) {
    case 'null':
      return null;
    case 'json':
      return JSON.stringify(v.value);
    case 'ref':
      return v.key;
    case 'asset':
      return v.name;
    case 'sequence':
    case 'unknown':
      throw new SkygearError(`value of kind ${v.kind} is not bindable`, ErrorCodes.UnexpectedError);
    default:
      return v.value;
  }
}

/** SQL for one decoded value as a bound parameter, cast where text → column needs help. */
export function bindSql(v: Decoded, add: (value: unknown) => string): string {
  const placeholder = add(bindValue(v));
  if (v.kind === 'datetime') return `(${placeholder}::timestamptz AT TIME ZONE 'UTC')`;
  if (v.kind === 'json') return `${placeholder}::jsonb`;
  return placeholder;
}
