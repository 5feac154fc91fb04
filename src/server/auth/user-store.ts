import type { Queryable } from '../db/driver';
import { quoteIdent } from '../store/sql-ident';
import type { AuthData } from './auth-data';
import { NOW_UTC, table } from './sql';

/**
 * SQL on the credential table `_auth` and the profile record table `"user"` (Part A §3.10).
 * The user record lives in the public database (`_database_id` ''), key = owner = the user's id.
 */
export interface AuthRow {
  id: string;
  password: string | null;
  last_seen_at: Date | null;
  disabled: boolean;
  disabled_message: string | null;
  disabled_expiry: Date | null;
}

export async function insertAuth(q: Queryable, schema: string, id: string, passwordHash: string | null): Promise<void> {
  await q.query(
    `INSERT INTO ${table(schema, '_auth')} (id, password, provider_info, token_valid_since) VALUES ($1, $2, '{}'::jsonb, ${NOW_UTC})`,
    [id, passwordHash],
  );
}

export async function getAuth(q: Queryable, schema: string, id: string): Promise<AuthRow | null> {
  const { rows } = await q.query<AuthRow>(
    `SELECT id, password, last_seen_at, disabled, disabled_message, disabled_expiry FROM ${table(schema, '_auth')} WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Sets a new password hash and invalidates every token issued before now. */
export async function setPassword(q: Queryable, schema: string, id: string, passwordHash: string): Promise<void> {
  await q.query(`UPDATE ${table(schema, '_auth')} SET password = $2, token_valid_since = ${NOW_UTC} WHERE id = $1`, [id, passwordHash]);
}

export async function touchLastSeen(q: Queryable, schema: string, id: string): Promise<void> {
  await q.query(`UPDATE ${table(schema, '_auth')} SET last_seen_at = ${NOW_UTC} WHERE id = $1`, [id]);
}

export async function touchLastLogin(q: Queryable, schema: string, id: string): Promise<void> {
  await q.query(`UPDATE ${table(schema, 'user')} SET last_login_at = ${NOW_UTC} WHERE _id = $1 AND _database_id = ''`, [id]);
}

export async function getLastLogin(q: Queryable, schema: string, id: string): Promise<Date | null> {
  const { rows } = await q.query<{ last_login_at: Date | null }>(
    `SELECT last_login_at FROM ${table(schema, 'user')} WHERE _id = $1 AND _database_id = ''`,
    [id],
  );
  return rows[0]?.last_login_at ?? null;
}

/**
 * Creates the user's profile record with its auth-data columns; ACL = the type's default ACL
 * (normally none). Does nothing if it exists. A clash on username/email raises 23505.
 */
export async function insertUserRecord(q: Queryable, schema: string, id: string, authData: AuthData): Promise<void> {
  await q.query(
    `INSERT INTO ${table(schema, 'user')}
       (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by, username, email)
     VALUES ($1, '', $1,
             (SELECT default_access FROM ${table(schema, '_record_default_access')} WHERE record_type = 'user'),
             ${NOW_UTC}, $1, ${NOW_UTC}, $1, $2, $3)
     ON CONFLICT (_id) DO NOTHING`,
    [id, authData.username ?? null, authData.email ?? null],
  );
}

/** The user whose record matches every given auth-data field, compared case-insensitively. */
export async function findUserByAuthData(q: Queryable, schema: string, authData: AuthData): Promise<AuthRow | null> {
  const keys = Object.keys(authData).sort();
  const where = keys.map((k, i) => `lower(u.${quoteIdent(k)}) = lower($${i + 1})`).join(' AND ');
  const { rows } = await q.query<AuthRow>(
    `SELECT a.id, a.password, a.last_seen_at, a.disabled, a.disabled_message, a.disabled_expiry
       FROM ${table(schema, 'user')} u JOIN ${table(schema, '_auth')} a ON a.id = u._id
      WHERE u._database_id = '' AND ${where}
      LIMIT 1`,
    keys.map((k) => authData[k]),
  );
  return rows[0] ?? null;
}

/** SQLSTATE 23505 (unique_violation), from either driver. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** auth:disable:set: disabling stores message and expiry; enabling clears them. False if no such user. */
export async function setDisabled(
  q: Queryable,
  schema: string,
  id: string,
  state: { disabled: boolean; message: string | null; expiry: Date | null },
): Promise<boolean> {
  const { rowCount } = await q.query(
    `UPDATE ${table(schema, '_auth')} SET disabled = $2, disabled_message = $3, disabled_expiry = $4 WHERE id = $1`,
    state.disabled ? [id, true, state.message, state.expiry?.toISOString().replace('Z', '') ?? null] : [id, false, null, null],
  );
  return rowCount > 0;
}
