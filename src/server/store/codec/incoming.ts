import { SkygearError, invalidArgument } from '../../core/errors';
import { parseAcl } from '../access/record-acl';
import { decodeValue, type Decoded } from './wire-values';
import { splitRecordId, type Acl, type ErrorItem } from './record-json';

/**
 * A record as a client sent it to record:save (Part A §4.5): `_id`, `_access`, data fields. Other
 * `_`-keys are dropped. `access` is undefined when `_access` was absent or null.
 */
export interface IncomingRecord {
  id: string;
  type: string;
  key: string;
  access: Acl | undefined;
  fields: Map<string, Decoded>;
}

export type Decoding = { ok: true; record: IncomingRecord } | { ok: false; error: ErrorItem };

export function errorItem(err: SkygearError, id?: string): ErrorItem {
  const item: ErrorItem = { _type: 'error', ...(id !== undefined ? { _id: id } : {}), name: err.name, code: err.code, message: err.message };
  if (err.info && Object.keys(err.info).length > 0) item.info = err.info;
  return item;
}

export function decodeIncoming(raw: unknown): Decoding {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: errorItem(invalidArgument('record must be an object', ['records'])) };
  }
  const obj = raw as Record<string, unknown>;
  const parsed = typeof obj._id === 'string' ? splitRecordId(obj._id) : null;
  if (!parsed || parsed.type.startsWith('_')) {
    return { ok: false, error: errorItem(invalidArgument(`invalid record id ${JSON.stringify(obj._id ?? null)}`, ['_id'])) };
  }
  const id = obj._id as string;
  try {
    const access = parseAcl(obj._access) ?? undefined;
    const fields = decodeFields(obj);
    return { ok: true, record: { id, type: parsed.type, key: parsed.key, access, fields } };
  } catch (err) {
    return { ok: false, error: errorItem(SkygearError.from(err), id) };
  }
}

/** Data fields (keys not starting with `_`) of a wire record, decoded. */
export function decodeFields(obj: Record<string, unknown>): Map<string, Decoded> {
  const fields = new Map<string, Decoded>();
  for (const [name, value] of Object.entries(obj)) {
    if (name.startsWith('_') || value === undefined) continue;
    fields.set(name, decodeValue(value, name));
  }
  return fields;
}
