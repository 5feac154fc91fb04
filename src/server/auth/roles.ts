import type { Queryable } from '../db/driver';
import { table } from './sql';

/** A user's roles, read fresh for every request (Part A §7). */
export async function loadRoles(q: Queryable, schema: string, userId: string): Promise<string[]> {
  const { rows } = await q.query<{ role_id: string }>(
    `SELECT role_id FROM ${table(schema, '_auth_role')} WHERE auth_id = $1 ORDER BY role_id`,
    [userId],
  );
  return rows.map((r) => r.role_id);
}

/** True when any of the roles is flagged `is_admin` (seed: `Admin`). */
export async function hasAdminRole(q: Queryable, schema: string, roles: string[]): Promise<boolean> {
  if (roles.length === 0) return false;
  const { rows } = await q.query(`SELECT 1 FROM ${table(schema, '_role')} WHERE is_admin AND id = ANY($1::text[]) LIMIT 1`, [roles]);
  return rows.length > 0;
}

/** Creates the named roles that do not exist yet. */
export async function ensureRoles(q: Queryable, schema: string, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  await q.query(
    `INSERT INTO ${table(schema, '_role')} (id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT (id) DO NOTHING`,
    [roles],
  );
}

/** Gives a new user every role flagged `by_default`. */
export async function assignDefaultRoles(q: Queryable, schema: string, userId: string): Promise<void> {
  await q.query(
    `INSERT INTO ${table(schema, '_auth_role')} (auth_id, role_id)
     SELECT $1, id FROM ${table(schema, '_role')} WHERE by_default
     ON CONFLICT DO NOTHING`,
    [userId],
  );
}
