import type { Queryable } from '../db/driver';
import type { Acl } from './record-json';
import { qualified } from './sql-ident';

/**
 * Per-type access settings: creation roles (`_record_creation`, Part A §5.5) and the default ACL
 * (`_record_default_access`, §5.4).
 *
 * Every new record needs both, so saves read them through a small per-process cache (two round trips
 * per insert saved). Consistency: a change through this process (schema:access /
 * schema:default_access, i.e. setCreationRoles / setDefaultAcl) clears the type's entries at once and
 * again after its COMMIT, so this node sees its own changes immediately; another node serving the
 * same schema may use the previous setting for up to ACCESS_SETTINGS_TTL_MS. Those are admin-only,
 * rare changes; a save that raced with one on another node could equally have run just before it.
 * Direct SQL edits of the two tables are likewise seen within the TTL.
 */
export const ACCESS_SETTINGS_TTL_MS = 2000;

export interface Cached<T> {
  value: T;
  expires: number;
}

const creationCache = new Map<string, Cached<string[]>>();
const defaultAclCache = new Map<string, Cached<Acl>>();
const cacheKey = (schema: string, type: string) => `${schema}\u0000${type}`;

/** `cache[key]` if it is younger than ACCESS_SETTINGS_TTL_MS, else `load()` stored there (also for field-access.ts). */
export async function cached<T>(cache: Map<string, Cached<T>>, key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit && hit.expires > Date.now()) return hit.value;
  const value = await load();
  cache.set(key, { value, expires: Date.now() + ACCESS_SETTINGS_TTL_MS });
  return value;
}

/** Forgets the cached settings of one type (after a change by this process). */
export function forgetAccessSettings(schema: string, type: string): void {
  creationCache.delete(cacheKey(schema, type));
  defaultAclCache.delete(cacheKey(schema, type));
}

/** Creation roles, through the cache (for saves). */
export async function cachedCreationRoles(q: Queryable, schema: string, type: string): Promise<string[]> {
  return cached(creationCache, cacheKey(schema, type), () => creationRoles(q, schema, type));
}

/** The default ACL, through the cache (for saves). */
export async function cachedDefaultAcl(q: Queryable, schema: string, type: string): Promise<Acl> {
  return cached(defaultAclCache, cacheKey(schema, type), () => defaultAcl(q, schema, type));
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
  forgetAccessSettings(schema, type);
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
  forgetAccessSettings(schema, type);
  await q.query(
    `INSERT INTO ${qualified(schema, '_record_default_access')} (record_type, default_access) VALUES ($1, $2::jsonb)
     ON CONFLICT (record_type) DO UPDATE SET default_access = EXCLUDED.default_access`,
    [type, acl === null ? null : JSON.stringify(acl)],
  );
  return defaultAcl(q, schema, type);
}
