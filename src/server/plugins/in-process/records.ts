import { ErrorCodes, SkygearError } from '../../core/errors';
import type { RecordJSON } from '../../store/codec/record-json';
import { SkygearRecord, isCoreRecord, type CoreRecord } from './skygear-core';

/**
 * Wire record JSON ↔ skygear-core `Record`, the objects hooks receive under skygear-node.
 *
 * ACL quirk (Part B §3.3, §7.10): skygear-core parses `_access: null` into its default ACL, which is
 * public-read, so a record that went through a JS hook untouched would come back public-read. We build
 * the Record WITHOUT the null `_access` key; skygear-core then leaves its internal `_access` null and
 * `toJSON()` writes `_access: null` again. The ACL is materialized (as skygear-core's public-read
 * default) only if the hook reads or changes `record.access`, i.e. only if the hook touched it.
 */
export function recordFromWire(json: RecordJSON): CoreRecord {
  const slash = typeof json._id === 'string' ? json._id.indexOf('/') : -1;
  if (slash <= 0) throw new SkygearError(`record id "${String(json._id)}" is not "<type>/<key>"`, ErrorCodes.InvalidArgument);
  const attrs: Record<string, unknown> = { ...json };
  if (attrs._access === null || attrs._access === undefined) delete attrs._access;
  // The constructor mutates attrs (it deletes `id`), hence the copy above.
  return new SkygearRecord(json._id.slice(0, slash), attrs);
}

/**
 * What a hook gave back, as wire JSON: a Record (returned or the mutated incoming one) via its own
 * `toJSON()`, or a plain record-shaped object. Go parses every hook result as a record and fails the
 * hook when there is no `_id`.
 */
export function recordToWire(value: unknown): RecordJSON {
  let json: unknown = value;
  if (isCoreRecord(value)) json = value.toJSON();
  else if (value && typeof (value as { toJSON?: unknown }).toJSON === 'function') json = (value as { toJSON(): unknown }).toJSON();
  if (typeof json !== 'object' || json === null || typeof (json as RecordJSON)._id !== 'string') {
    throw new SkygearError('failed to unmarshal record: the hook returned something that is not a record', ErrorCodes.UnexpectedError);
  }
  return json as RecordJSON;
}
