import type { Queryable } from '../../db/driver';
import { FieldAcl } from './field-acl-rules';
import { fieldAccessEntries } from './field-acl-table';
import type { Acl } from '../codec/record-json';
import { qualified } from '../sql-ident';

/**
 * Per-type access settings: creation roles (`_record_creation`, Part A §5.5) and the default ACL
 * (`_record_default_access`, §5.4).
 *
 * Every new record needs both, so saves read them through a small cache per store (two round trips
 * per insert saved). Consistency: a change through this process (schema:access /
 * schema:default_access, see schema/schema-admin.ts) clears the type's entries at once and again after its
 * COMMIT, so this node sees its own changes immediately; another node serving the
 * same schema may use the previous setting for up to ACCESS_SETTINGS_TTL_MS. Those are admin-only,
 * rare changes; a save that raced with one on another node could equally have run just before it.
 * Direct SQL edits of the two tables are likewise seen within the TTL.
 */
export const ACCESS_SETTINGS_TTL_MS = 2000;

interface Cached<T> {
  value: T;
  expires: number;
}

/**
 * The access settings of one store's schema (creation roles and default ACL per type, the field
 * ACL), each kept for ACCESS_SETTINGS_TTL_MS. One per record store, so two stores in a process (two
 * apps, or a test's two "nodes") never share entries.
 */
export class AccessSettingsCache {
  private readonly creation = new Map<string, Cached<string[]>>();
  private readonly defaults = new Map<string, Cached<Acl>>();
  private fieldAclEntry: Cached<FieldAcl> | undefined;

  constructor(private readonly schema: string) {}

  /** Creation roles of `type` (for saves). */
  creationRoles(q: Queryable, type: string): Promise<string[]> {
    return fresh(this.creation, type, () => creationRoles(q, this.schema, type));
  }

  /** The default ACL of `type` (for saves). */
  defaultAcl(q: Queryable, type: string): Promise<Acl> {
    return fresh(this.defaults, type, () => defaultAcl(q, this.schema, type));
  }

  /** The schema's field ACL (for every record read and write). */
  async fieldAcl(q: Queryable): Promise<FieldAcl> {
    const hit = this.fieldAclEntry;
    if (hit && hit.expires > Date.now()) return hit.value;
    const value = new FieldAcl(await fieldAccessEntries(q, this.schema));
    this.fieldAclEntry = { value, expires: Date.now() + ACCESS_SETTINGS_TTL_MS };
    return value;
  }

  /** Forgets one type's settings (after a change by this process; again once it has committed). */
  forgetType(type: string): void {
    this.creation.delete(type);
    this.defaults.delete(type);
  }

  /** Forgets the field ACL (after a change by this process; again once it has committed). */
  forgetFieldAcl(): void {
    this.fieldAclEntry = undefined;
  }
}

/** `cache[key]` if it is younger than ACCESS_SETTINGS_TTL_MS, else `load()` stored there. */
async function fresh<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && hit.expires > Date.now()) return hit.value;
  const value = await load();
  cache.set(key, { value, expires: Date.now() + ACCESS_SETTINGS_TTL_MS });
  return value;
}

export async function creationRoles(q: Queryable, schema: string, type: string): Promise<string[]> {
  const res = await q.query<{ role_id: string }>(
    `SELECT role_id FROM ${qualified(schema, '_record_creation')} WHERE record_type = $1 ORDER BY role_id`,
    [type],
  );
  return res.rows.map((r) => r.role_id);
}

/**
 * Replaces the creation roles of ONE type, creating missing roles. (Go's DELETE lacked the
 * record_type filter and removed the role from every type — deliberately not copied.)
 */
export async function setCreationRoles(q: Queryable, schema: string, type: string, roles: string[]): Promise<string[]> {
  const unique = [...new Set(roles)];
  for (const role of unique) {
    await q.query(`INSERT INTO ${qualified(schema, '_role')} (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [role]);
  }
  await q.query(`DELETE FROM ${qualified(schema, '_record_creation')} WHERE record_type = $1`, [type]);
  for (const role of unique) {
    await q.query(`INSERT INTO ${qualified(schema, '_record_creation')} (record_type, role_id) VALUES ($1, $2)`, [type, role]);
  }
  return creationRoles(q, schema, type);
}

export async function defaultAcl(q: Queryable, schema: string, type: string): Promise<Acl> {
  const res = await q.query<{ default_access: Acl }>(
    `SELECT default_access FROM ${qualified(schema, '_record_default_access')} WHERE record_type = $1`,
    [type],
  );
  return res.rows[0]?.default_access ?? null;
}

export async function setDefaultAcl(q: Queryable, schema: string, type: string, acl: Acl): Promise<Acl> {
  await q.query(
    `INSERT INTO ${qualified(schema, '_record_default_access')} (record_type, default_access) VALUES ($1, $2::jsonb)
     ON CONFLICT (record_type) DO UPDATE SET default_access = EXCLUDED.default_access`,
    [type, acl === null ? null : JSON.stringify(acl)],
  );
  return defaultAcl(q, schema, type);
}
