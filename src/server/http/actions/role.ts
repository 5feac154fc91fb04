import { hasAdminRole, ensureRoles } from '../../auth/roles';
import { table } from '../../auth/sql';
import { isMaster } from '../../core/auth-context';
import type { Driver } from '../../db/driver';
import { permissionDenied } from '../../core/errors';
import type { ActionDef } from '../../core/actions';
import { stringList } from './args';

/** role:default, role:admin, role:assign, role:revoke, role:get (Part A §7). */
export function roleActions(db: Driver, schema: string): ActionDef[] {
  const roleTable = table(schema, '_role');
  const authRole = table(schema, '_auth_role');

  /** role:default / role:admin: create missing roles, then the flag is set on exactly these. */
  const flagRoles = (flag: 'by_default' | 'is_admin'): ActionDef['handle'] =>
    async (req) => {
      const roles = stringList(req.body, 'roles');
      await db.transaction(async (tx) => {
        await ensureRoles(tx, schema, roles);
        await tx.query(`UPDATE ${roleTable} SET ${flag} = (id = ANY($1::text[]))`, [roles]);
      });
      return roles;
    };

  return [
    { name: 'role:default', requires: 'dev', handle: flagRoles('by_default') },
    { name: 'role:admin', requires: 'dev', handle: flagRoles('is_admin') },
    {
      name: 'role:assign',
      requires: 'admin',
      async handle(req) {
        const users = stringList(req.body, 'users');
        const roles = stringList(req.body, 'roles');
        await db.transaction(async (tx) => {
          await ensureRoles(tx, schema, roles);
          // Users without an _auth row are skipped silently, duplicates ignored (Go's behaviour).
          await tx.query(
            `INSERT INTO ${authRole} (auth_id, role_id)
             SELECT a.id, r.role_id FROM ${table(schema, '_auth')} a
             CROSS JOIN (SELECT DISTINCT unnest($2::text[]) AS role_id) r
             WHERE a.id = ANY($1::text[])
             ON CONFLICT DO NOTHING`,
            [users, roles],
          );
        });
        return 'OK';
      },
    },
    {
      name: 'role:revoke',
      requires: 'admin',
      async handle(req) {
        const users = stringList(req.body, 'users');
        const roles = stringList(req.body, 'roles');
        await db.query(`DELETE FROM ${authRole} WHERE auth_id = ANY($1::text[]) AND role_id = ANY($2::text[])`, [users, roles]);
        return 'OK';
      },
    },
    {
      // Go lets anyone call this and crashes without a user; we require one (Part A §11.12).
      name: 'role:get',
      requires: 'user',
      async handle(req) {
        const users = stringList(req.body, 'users', { nonEmpty: true });
        const self = req.auth.userId;
        const asksForOthers = users.some((u) => u !== self);
        if (asksForOthers && !isMaster(req.auth) && !(await hasAdminRole(db, schema, req.auth.roles))) {
          throw permissionDenied('no permission to get roles of other users');
        }
        const { rows } = await db.query<{ auth_id: string; role_id: string }>(
          `SELECT auth_id, role_id FROM ${authRole} WHERE auth_id = ANY($1::text[]) ORDER BY role_id`,
          [users],
        );
        const result: Record<string, string[]> = Object.fromEntries(users.map((u) => [u, [] as string[]]));
        for (const row of rows) result[row.auth_id].push(row.role_id);
        return result;
      },
    },
  ];
}
