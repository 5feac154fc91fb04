import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/driver';
import { NOW_UTC, table } from './sql';

/**
 * Access tokens are random UUIDs kept in `_access_token` with their issue time. A token issued before
 * the user's `token_valid_since` (moved forward by every password change) no longer authenticates —
 * the behaviour Go intended but only its JWT store delivered (Part A §1.7, §11.11).
 */
export async function issueToken(q: Queryable, schema: string, authId: string): Promise<string> {
  const token = randomUUID();
  await q.query(`INSERT INTO ${table(schema, '_access_token')} (token, auth_id, issued_at) VALUES ($1, $2, ${NOW_UTC})`, [
    token,
    authId,
  ]);
  return token;
}

export interface TokenOwner {
  authId: string;
  /** The user's roles (ascending), read in the same query: one round trip per request, not two. */
  roles: string[];
  disabled: boolean;
  disabledMessage: string | null;
  disabledExpiry: Date | null;
}

/** The user a still-valid token belongs to, or null (unknown, or invalidated by a password change). */
export async function findTokenOwner(q: Queryable, schema: string, token: string): Promise<TokenOwner | null> {
  const { rows } = await q.query<{ id: string; roles: string[] | null; disabled: boolean; disabled_message: string | null; disabled_expiry: Date | null }>(
    `SELECT a.id, a.disabled, a.disabled_message, a.disabled_expiry,
            ARRAY(SELECT r.role_id FROM ${table(schema, '_auth_role')} r WHERE r.auth_id = a.id ORDER BY r.role_id) AS roles
       FROM ${table(schema, '_access_token')} t
       JOIN ${table(schema, '_auth')} a ON a.id = t.auth_id
      WHERE t.token = $1
        AND (a.token_valid_since IS NULL OR t.issued_at >= a.token_valid_since)`,
    [token],
  );
  const row = rows[0];
  if (!row) return null;
  return { authId: row.id, roles: Array.isArray(row.roles) ? row.roles : [], disabled: row.disabled, disabledMessage: row.disabled_message, disabledExpiry: row.disabled_expiry };
}

export async function revokeToken(q: Queryable, schema: string, token: string): Promise<void> {
  await q.query(`DELETE FROM ${table(schema, '_access_token')} WHERE token = $1`, [token]);
}
