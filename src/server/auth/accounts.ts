import { randomUUID } from 'node:crypto';
import type { Driver, Queryable } from '../db/driver';
import { ErrorCodes, SkygearError, invalidArgument } from '../core/errors';
import type { RecordJSON } from '../store/codec/record-json';
import type { RecordStore } from '../store/store';
import {
  optionalPassword,
  parseAuthData,
  parseProfile,
  requireAuthData,
  requirePassword,
  userDuplicated,
  type AuthData,
} from './auth-data';
import { authResponse, type AuthResponse } from './auth-response';
import type { AuthContext } from '../core/auth-context';
import { assertNotDisabled } from './disabled';
import { hashPassword, verifyPassword } from './password';
import { assignDefaultRoles, loadRoles } from './roles';
import { issueToken, revokeToken } from './tokens';
import {
  findUserByAuthData,
  getAuth,
  getLastLogin,
  insertAuth,
  insertUserRecord,
  isUniqueViolation,
  setDisabled,
  setPassword,
  touchLastLogin,
  touchLastSeen,
} from './user-store';

/** What accounts need from the record store: profile fields beyond auth data, and reading the profile. */
export type ProfileStore = Pick<RecordStore, 'save' | 'fetch'>;

export interface AccountsDeps {
  db: Driver;
  schema: string;
  store: ProfileStore;
}

/** Which timestamps a successful auth call moves forward once the response is built. */
type Touch = 'login' | 'seen' | 'none';

/** The AUTH_RECORD_KEYS columns; everything else in a signup profile is an ordinary record field. */
const AUTH_COLUMNS = ['username', 'email'];

/**
 * Signup, login, me, password change and logout (Part A §3.2–§3.6). Each call is one transaction:
 * the `_auth` row, default roles, the `"user"` record, the new token and the timestamps commit
 * together or not at all.
 */
export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  async signup(auth: AuthContext, body: Record<string, unknown>, requestId: string): Promise<AuthResponse> {
    rejectProvider(body);
    const authData = parseAuthData(body.auth_data);
    const password = optionalPassword(body.password);
    const profile = parseProfile(body.profile);
    const anonymous = authData === null && password === '';
    if (!anonymous) {
      if (authData === null) throw invalidArgument('invalid auth data', ['auth_data']);
      if (Object.keys(authData).some((k) => k in profile)) {
        throw invalidArgument('duplicated keys found in auth data in profile', ['auth_data', 'profile']);
      }
      requirePassword(password);
    }
    const { columns, extra } = splitProfile({ ...profile, ...(authData ?? {}) });
    const hash = anonymous ? null : await hashPassword(password); // slow: keep it outside the transaction
    const userId = randomUUID();

    return this.deps.db.transaction(async (tx) => {
      await insertAuth(tx, this.deps.schema, userId, hash);
      await assignDefaultRoles(tx, this.deps.schema, userId);
      try {
        await insertUserRecord(tx, this.deps.schema, userId, columns);
      } catch (err) {
        if (isUniqueViolation(err)) throw userDuplicated();
        throw err;
      }
      if (Object.keys(extra).length > 0) await this.saveProfileFields(tx, userId, extra, { keyType: auth.keyType, requestId });
      return this.respond(tx, userId, { lastLoginAt: null, lastSeenAt: null }, 'login');
    });
  }

  async login(body: Record<string, unknown>): Promise<AuthResponse> {
    rejectProvider(body);
    const authData = requireAuthData(body.auth_data);
    const password = optionalPassword(body.password);
    const user = await findUserByAuthData(this.deps.db, this.deps.schema, authData);
    if (!user) throw new SkygearError('user not found', ErrorCodes.ResourceNotFound);
    assertNotDisabled({ disabled: user.disabled, disabledMessage: user.disabled_message, disabledExpiry: user.disabled_expiry });
    if (!(await verifyPassword(password, user.password))) {
      throw new SkygearError('auth_data or password incorrect', ErrorCodes.InvalidCredentials);
    }
    return this.deps.db.transaction(async (tx) => {
      const lastLoginAt = await getLastLogin(tx, this.deps.schema, user.id);
      return this.respond(tx, user.id, { lastLoginAt, lastSeenAt: user.last_seen_at }, 'login');
    });
  }

  /** `me`: the current user with a fresh token; creates the user record if it is missing. */
  async me(auth: AuthContext): Promise<AuthResponse> {
    const userId = requireUser(auth);
    return this.deps.db.transaction(async (tx) => {
      const row = await getAuth(tx, this.deps.schema, userId);
      await insertUserRecord(tx, this.deps.schema, userId, {});
      const lastLoginAt = await getLastLogin(tx, this.deps.schema, userId);
      return this.respond(tx, userId, { lastLoginAt, lastSeenAt: row?.last_seen_at ?? null }, 'seen');
    });
  }

  /** auth:password: checks the old password, stores the new one and invalidates older tokens. */
  async changePassword(auth: AuthContext, body: Record<string, unknown>): Promise<AuthResponse> {
    const userId = requireUser(auth);
    const oldPassword = requirePassword(body.old_password, 'old_password');
    const password = requirePassword(body.password);
    const row = await getAuth(this.deps.db, this.deps.schema, userId);
    if (!row) throw new SkygearError('user not found', ErrorCodes.UnexpectedAuthInfoNotFound);
    if (!(await verifyPassword(oldPassword, row.password))) {
      throw new SkygearError('Incorrect old password', ErrorCodes.InvalidCredentials);
    }
    const hash = await hashPassword(password);
    return this.deps.db.transaction(async (tx) => {
      await setPassword(tx, this.deps.schema, userId, hash);
      const lastLoginAt = await getLastLogin(tx, this.deps.schema, userId);
      return this.respond(tx, userId, { lastLoginAt, lastSeenAt: row.last_seen_at }, 'none');
    });
  }

  /** auth:disable:set (admin): a disabled user gets 127 on login and on every authenticated request. */
  async setDisabled(body: Record<string, unknown>): Promise<{ status: 'OK' }> {
    const authId = body.auth_id;
    if (typeof authId !== 'string' || authId === '') throw invalidArgument('auth_id is required', ['auth_id']);
    if (typeof body.disabled !== 'boolean') throw invalidArgument('disabled must be a boolean', ['disabled']);
    const message = body.message === undefined || body.message === null ? null : body.message;
    if (message !== null && typeof message !== 'string') throw invalidArgument('message must be a string', ['message']);
    let expiry: Date | null = null;
    if (body.expiry !== undefined && body.expiry !== null) {
      expiry = typeof body.expiry === 'string' ? new Date(body.expiry) : new Date(NaN);
      if (Number.isNaN(expiry.getTime())) throw invalidArgument('expiry must be an RFC 3339 time', ['expiry']);
    }
    const found = await setDisabled(this.deps.db, this.deps.schema, authId, { disabled: body.disabled, message, expiry });
    if (!found) throw new SkygearError('user not found', ErrorCodes.ResourceNotFound);
    return { status: 'OK' };
  }

  async logout(auth: AuthContext): Promise<{ status: 'OK' }> {
    if (auth.accessToken) await revokeToken(this.deps.db, this.deps.schema, auth.accessToken);
    return { status: 'OK' };
  }

  private async respond(
    tx: Queryable,
    userId: string,
    previous: { lastLoginAt: Date | null; lastSeenAt: Date | null },
    touch: Touch,
  ): Promise<AuthResponse> {
    const { schema } = this.deps;
    const roles = await loadRoles(tx, schema, userId);
    const token = await issueToken(tx, schema, userId);
    const profile = await this.profile(userId, roles);
    if (touch !== 'none') await touchLastSeen(tx, schema, userId);
    if (touch === 'login') await touchLastLogin(tx, schema, userId);
    return authResponse({ userId, profile, roles, token, ...previous });
  }

  /** The user record read as the user (so field ACL applies), with the store's wire encoding. */
  private async profile(userId: string, roles: string[]): Promise<RecordJSON | null> {
    const [item] = await this.deps.store.fetch({ userId, roles, keyType: null }, '_public', [`user/${userId}`]);
    if (!item || item._type === 'error') return null;
    return item as RecordJSON;
  }

  /**
   * Profile fields other than auth data are saved through the store as the new user, inside the
   * signup transaction: it encodes `$type` values and extends the schema under the usual rule
   * (dev mode or master key, else 114). Signup bypasses creation access (Part A §3.2).
   */
  private async saveProfileFields(
    tx: Queryable,
    userId: string,
    fields: Record<string, unknown>,
    opts: { keyType: AuthContext['keyType']; requestId: string },
  ): Promise<void> {
    const roles = await loadRoles(tx, this.deps.schema, userId);
    const asUser: AuthContext = { userId, roles, keyType: opts.keyType };
    const [item] = await this.deps.store.save(asUser, '_public', [{ ...fields, _id: `user/${userId}` }], {
      atomic: true,
      requestId: opts.requestId,
      skipCreationAccess: true,
    });
    if (item && item._type === 'error') {
      const e = item as { code: number; message: string; info?: Record<string, unknown> };
      throw new SkygearError(e.message, e.code, e.info);
    }
  }
}

function requireUser(auth: AuthContext): string {
  if (!auth.userId) throw new SkygearError('Authentication is required for this action, please login.', ErrorCodes.NotAuthenticated);
  return auth.userId;
}

/** Auth providers are plugin features this server does not offer. */
function rejectProvider(body: Record<string, unknown>): void {
  if (body.provider !== undefined && body.provider !== null) {
    throw invalidArgument(`auth provider "${String(body.provider)}" is not supported`, ['provider']);
  }
}

function splitProfile(data: Record<string, unknown>): { columns: AuthData; extra: Record<string, unknown> } {
  const columns: AuthData = {};
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!AUTH_COLUMNS.includes(key)) extra[key] = value;
    else if (typeof value === 'string') columns[key] = value;
    else if (value !== null && value !== undefined) throw invalidArgument(`${key} must be a string`, ['profile']);
  }
  return { columns, extra };
}
