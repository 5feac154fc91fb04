import type { Queryable } from '../db/driver';
import type { Acl } from './record-json';
import { qualified } from './sql-ident';

/**
 * Per-type access settings: creation roles (`_record_creation`, Part A §5.5) and the default ACL
 * (`_record_default_access`, §5.4). Read fresh on every save so all server processes agree.
 */
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
