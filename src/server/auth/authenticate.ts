import type { Driver } from '../db/driver';
import { ErrorCodes, SkygearError } from '../core/errors';
import type { Requirement } from '../core/actions';
import { GOD_USER_ID, type AuthContext } from '../core/auth-context';
import { assertNotDisabled } from './disabled';
import { apiKeyEmpty, classifyKey, type KeyConfig } from './keys';
import { hasAdminRole, loadRoles } from './roles';
import { table } from './sql';
import { findTokenOwner, type TokenOwner } from './tokens';

export interface AuthInput {
  apiKey: string;
  accessToken: string;
  /** Body `_user_id`: with the master key, the user to act as (JSON API actions only). */
  impersonate?: unknown;
}

export interface AuthenticatorDeps {
  db: Driver;
  schema: string;
  config: KeyConfig & { devMode: boolean };
}

/** Raised by the admin and master-key checks; Go answers these with 401, not 403 (Part A §1.5). */
const noPermission = (status: number) =>
  new SkygearError('no permission to perform this action', ErrorCodes.PermissionDenied, undefined, status);

export const loginRequired = () =>
  new SkygearError('Authentication is required for this action, please login.', ErrorCodes.NotAuthenticated);

/** Go's UserAuthenticator: neither a key nor a token (checked after the key and the token themselves). */
const neitherKeyNorToken = () => new SkygearError('Both api key and access token are empty', ErrorCodes.NotAuthenticated);

/** Requirements that need a key and ignore the token entirely (Go's "accesskey" stage). */
const KEY_ONLY: ReadonlySet<Requirement> = new Set(['key', 'master', 'dev']);

/**
 * Turns a request's key, token and `_user_id` into an AuthContext and enforces the action's
 * Requirement with Go's codes and statuses (Part A §1.7, §1.8).
 */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  async authenticate(input: AuthInput, requirement: Requirement): Promise<AuthContext> {
    const { config } = this.deps;
    const key = classifyKey(input.apiKey, config);
    const impersonate = typeof input.impersonate === 'string' && input.impersonate !== '' ? input.impersonate : null;

    if (requirement === 'none') {
      // Anything goes: a bad key or token is ignored, a valid token still identifies the user.
      const keyType = key.kind === 'wrong' ? null : key.kind;
      const owner = input.accessToken ? await this.tokenUser(input.accessToken, false) : null;
      if (keyType === 'master' && impersonate) return this.context(await this.actAs(impersonate), keyType, input.accessToken);
      return this.context(owner?.authId ?? null, keyType, input.accessToken, owner?.roles);
    }

    if (key.kind === 'wrong') throw key.error;
    const keyType = key.kind;

    if (KEY_ONLY.has(requirement)) {
      if (keyType === null) throw apiKeyEmpty();
      if (requirement === 'master' && keyType !== 'master') throw noPermission(401);
      if (requirement === 'dev' && keyType !== 'master' && !config.devMode) throw noPermission(403);
      const userId = keyType === 'master' && impersonate ? await this.actAs(impersonate) : null;
      return this.context(userId, keyType, undefined);
    }

    const owner = input.accessToken ? await this.tokenUser(input.accessToken, true) : null;
    let userId = owner?.authId ?? null;
    // Roles came with the token; an impersonated or _god user's are loaded by context().
    let roles = owner?.roles;
    if (keyType === 'master' && impersonate) {
      userId = await this.actAs(impersonate);
      roles = undefined;
    }

    // Every stage below Go's UserAuthenticator refuses a request that has neither.
    if (keyType === null && userId === null) throw neitherKeyNorToken();
    if (requirement === 'keyOrToken') return this.context(userId, keyType, input.accessToken, roles);

    // 'user' and 'admin': the master key without a token acts as _god.
    if (userId === null) {
      if (keyType !== 'master') throw loginRequired();
      userId = await this.actAs(GOD_USER_ID);
      roles = undefined;
    }
    const ctx = await this.context(userId, keyType, input.accessToken, roles);
    if (requirement === 'admin' && keyType !== 'master' && !(await hasAdminRole(this.deps.db, this.deps.schema, ctx.roles))) {
      throw noPermission(401);
    }
    return ctx;
  }

  /** The token's user (with roles); an unknown token is 104 when it matters (strict) and ignored otherwise. */
  private async tokenUser(token: string, strict: boolean): Promise<TokenOwner | null> {
    const owner = await findTokenOwner(this.deps.db, this.deps.schema, token);
    if (!owner) {
      if (strict) throw new SkygearError('token does not exist or it has expired', ErrorCodes.AccessTokenNotAccepted);
      return null;
    }
    if (strict) assertNotDisabled(owner);
    return owner;
  }

  /** Master-key impersonation: the `_auth` row is created on first use, as Go does. */
  private async actAs(userId: string): Promise<string> {
    await this.deps.db.query(`INSERT INTO ${table(this.deps.schema, '_auth')} (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [userId]);
    return userId;
  }

  /** `knownRoles`: the user's roles when already read (with the token); else they are loaded here. */
  private async context(
    userId: string | null,
    keyType: AuthContext['keyType'],
    accessToken: string | undefined,
    knownRoles?: string[],
  ): Promise<AuthContext> {
    const roles = userId ? (knownRoles ?? (await loadRoles(this.deps.db, this.deps.schema, userId))) : [];
    const ctx: AuthContext = { userId, roles, keyType };
    if (accessToken) ctx.accessToken = accessToken;
    return ctx;
  }
}
