import type { Queryable } from '../../db/driver';
import { invalidArgument } from '../../core/errors';
import { roleKindRank, type FieldAccessEntry } from './field-acl-rules';
import { qualified } from '../sql-ident';

/**
 * The field ACL table `_record_field_access` (Part A §5.6): reading it (saves and reads go through
 * AccessSettingsCache, access-settings.ts), replacing it (schema:field_access:update) and its
 * fresh-install rows.
 */

/**
 * Fresh-install rows (§5.6): the owner may do anything with `user.username` / `user.email`; other
 * logged-in users may read, compare and find by them but not write them; anonymous callers get
 * neither (no entry matches them).
 */
export const SEED_FIELD_ACCESS: readonly FieldAccessEntry[] = ['username', 'email'].flatMap((field) => [
  { record_type: 'user', record_field: field, user_role: '_owner', writable: true, readable: true, comparable: true, discoverable: true },
  { record_type: 'user', record_field: field, user_role: '_any_user', writable: false, readable: true, comparable: true, discoverable: true },
]);

const COLUMNS = 'record_type, record_field, user_role, writable, readable, comparable, discoverable';
const FLAGS = ['writable', 'readable', 'comparable', 'discoverable'] as const;

export async function fieldAccessEntries(q: Queryable, schema: string): Promise<FieldAccessEntry[]> {
  const res = await q.query<FieldAccessEntry>(
    `SELECT ${COLUMNS} FROM ${qualified(schema, '_record_field_access')} ORDER BY record_type, record_field, user_role`,
  );
  return res.rows;
}

/** Replaces the WHOLE table (as Go does: entries left out are gone) and returns the new list. */
export async function replaceFieldAccess(q: Queryable, schema: string, raw: unknown): Promise<FieldAccessEntry[]> {
  const entries = parseEntries(raw);
  await q.query(`DELETE FROM ${qualified(schema, '_record_field_access')}`);
  await insertEntries(q, schema, entries);
  return fieldAccessEntries(q, schema);
}

/** Adds `entries` (existing keys are left alone). */
export async function insertEntries(q: Queryable, schema: string, entries: readonly FieldAccessEntry[]): Promise<void> {
  for (const e of entries) {
    await q.query(
      `INSERT INTO ${qualified(schema, '_record_field_access')} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (record_type, record_field, user_role) DO NOTHING`,
      [e.record_type, e.record_field, e.user_role, e.writable, e.readable, e.comparable, e.discoverable],
    );
  }
}

/** `[{record_type, record_field, user_role, writable, readable, comparable, discoverable}, …]`, checked whole. */
function parseEntries(raw: unknown): FieldAccessEntry[] {
  if (!Array.isArray(raw)) throw invalidArgument('access must be a list of field access entries', ['access']);
  const seen = new Set<string>();
  return raw.map((item, i) => {
    const where = `access[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalidArgument(`${where} must be an object`, ['access']);
    const e = item as Record<string, unknown>;
    for (const name of ['record_type', 'record_field', 'user_role']) {
      if (typeof e[name] !== 'string' || e[name] === '') throw invalidArgument(`${where}.${name} must be a non-empty string`, ['access']);
    }
    if (roleKindRank(e.user_role as string) < 0) {
      throw invalidArgument(`${where}.user_role "${String(e.user_role)}" is not _owner, _user_id:<id>, _field:<field>, _role:<role>, _any_user or _public`, ['access']);
    }
    for (const flag of FLAGS) {
      if (e[flag] !== undefined && typeof e[flag] !== 'boolean') throw invalidArgument(`${where}.${flag} must be a boolean`, ['access']);
    }
    const entry: FieldAccessEntry = {
      record_type: e.record_type as string,
      record_field: e.record_field as string,
      user_role: e.user_role as string,
      writable: e.writable === true,
      readable: e.readable === true,
      comparable: e.comparable === true,
      discoverable: e.discoverable === true,
    };
    const key = `${entry.record_type}\u0000${entry.record_field}\u0000${entry.user_role}`;
    if (seen.has(key)) throw invalidArgument(`${where} repeats (${entry.record_type}, ${entry.record_field}, ${entry.user_role})`, ['access']);
    seen.add(key);
    return entry;
  });
}
