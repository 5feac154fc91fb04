import { isDeepStrictEqual } from 'node:util';
import type { AssetUrls } from '../../core/asset-urls';
import type { Decoded } from './wire-values';
import { decodeFields } from './incoming';
import type { Acl, RecordJSON } from './record-json';

/**
 * The record hooks see: the stored record (or a new one) with the incoming fields merged over it
 * (Part B §4.1 step 3) — a full record, not a delta.
 */
export interface MergeMeta {
  id: string;
  access: Acl;
  ownerId: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export function mergeRecord(original: RecordJSON | null, fields: Map<string, Decoded>, meta: MergeMeta, assets: AssetUrls): RecordJSON {
  const merged: RecordJSON = { ...(original ?? {}), _id: meta.id, _type: 'record' };
  delete merged._transient;
  merged._access = meta.access;
  merged._ownerID = meta.ownerId;
  merged._created_at = meta.createdAt;
  if (meta.createdBy) merged._created_by = meta.createdBy;
  merged._updated_at = meta.updatedAt;
  merged._updated_by = meta.updatedBy;
  for (const [name, value] of fields) {
    if (value.kind === 'null') delete merged[name];
    else if (value.kind !== 'sequence' && value.kind !== 'unknown') merged[name] = toWire(value, assets);
  }
  return merged;
}

/** A decoded value back in wire form (what a hook or a response shows for it). */
export function toWire(v: Decoded, assets: AssetUrls): unknown {
  switch (v.kind) {
    case 'datetime':
      return { $type: 'date', $date: v.value };
    case 'ref':
      return { $type: 'ref', $id: `${v.target}/${v.key}` };
    case 'asset':
      return { $type: 'asset', $name: v.name, $url: assets.url(v.name) };
    case 'null':
      return null;
    case 'sequence':
      return { $type: 'seq' };
    case 'unknown':
      return { $type: 'unknown' };
    default:
      return v.value;
  }
}

/**
 * The data fields a before-save hook changed or added (decoded), compared with what it was given.
 * Fields it left out are not deleted (Part B §4.1 step 4).
 */
export function hookChanges(sent: RecordJSON, returned: RecordJSON): Map<string, Decoded> {
  const changed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(returned)) {
    if (name.startsWith('_') || value === undefined) continue;
    if (!isDeepStrictEqual(sent[name] ?? null, value)) changed[name] = value;
  }
  return decodeFields(changed);
}
