import { isDeepStrictEqual } from 'node:util';
import { isMaster, type AuthContext } from '../../core/auth-context';
import type { Queryable } from '../../db/driver';
import { ErrorCodes, SkygearError } from '../../core/errors';
import { queryFieldUses, type FieldAcl } from './field-acl-rules';
import type { AccessSettingsCache } from './access-settings';
import type { RecordJSON } from '../codec/record-json';

/**
 * Where the record store applies the field ACL (Part A §5.6): reads lose the fields the caller may
 * not read, queries may not use fields the caller may not compare or find by (124), and saves may
 * not change fields the caller may not write (dropped, or 123 for an atomic save). The master key
 * bypasses all of it, so it gets no rules at all.
 */
export async function fieldAclFor(q: Queryable, settings: AccessSettingsCache, auth: AuthContext): Promise<FieldAcl | null> {
  if (isMaster(auth)) return null;
  const acl = await settings.fieldAcl(q);
  return acl.isEmpty ? null : acl;
}

/** The record as the caller may see it (included records too). */
export function readableRecord(acl: FieldAcl | null, record: RecordJSON, auth: AuthContext): RecordJSON {
  return acl ? acl.filterRead(record, auth) : record;
}

/** Throws 124 for the first predicate, sort or include keypath whose field the caller may not use so. */
export function checkQueryFields(acl: FieldAcl | null, type: string, query: { predicate?: unknown; sort?: unknown; include?: unknown }, auth: AuthContext): void {
  if (!acl) return;
  for (const { field, mode } of queryFieldUses(query.predicate, query.sort, query.include)) {
    // No record is at hand in a query, so `_owner` and `_field:` entries never match here (§5.6).
    if (!acl.allows(type, field, mode, auth, null)) {
      const need = mode === 'discoverable' ? 'discoverable or comparable' : mode;
      throw new SkygearError(`cannot query on field "${field}" of ${type}: it is not ${need} for you (field ACL)`, ErrorCodes.RecordQueryDenied, {
        arguments: [field],
      });
    }
  }
}

/**
 * The fields among `names` whose value this save changes (`after` vs `before`, both wire JSON) and
 * which the caller may not write. `before` is the stored record (null for a new one); `_owner` and
 * `_field:` entries are judged on it, or on `after` for a new record.
 */
export function unwritableChanges(acl: FieldAcl, type: string, names: Iterable<string>, before: RecordJSON | null, after: RecordJSON, auth: AuthContext): string[] {
  const judged = before ?? after;
  return [...names].filter((name) => !sameValue(before?.[name], after[name]) && !acl.allows(type, name, 'writable', auth, judged));
}

/** 123 for an atomic save that would change fields the caller may not write. */
export function deniedFields(type: string, fields: string[]): SkygearError {
  return new SkygearError(`cannot save ${fields.map((f) => `"${f}"`).join(', ')} of ${type}: not writable for you (field ACL)`, ErrorCodes.DeniedArgument, {
    arguments: fields,
  });
}

/** Values compare as the client sees them; an asset by its name (its download URL is signed anew). */
function sameValue(a: unknown, b: unknown): boolean {
  const assetName = (v: unknown) => (typeof v === 'object' && v !== null && (v as { $type?: unknown }).$type === 'asset' ? (v as { $name?: unknown }).$name : undefined);
  const nameA = assetName(a);
  if (nameA !== undefined) return nameA === assetName(b);
  return isDeepStrictEqual(a ?? null, b ?? null);
}
