/** Who is making a request, as every layer below HTTP sees it. */
export type AccessKeyType = 'client' | 'master';

export interface AuthContext {
  /** Acting user id: from the access token, or `_user_id`/`_god` with the master key; null = anonymous. */
  userId: string | null;
  /** Roles of the acting user, loaded fresh for each request. */
  roles: string[];
  /** Which key came with the request (null: token only, or nothing). */
  keyType: AccessKeyType | null;
  /** The access token presented, if any (passed on to plugins in the lambda param). */
  accessToken?: string;
}

export const isMaster = (ctx: AuthContext): boolean => ctx.keyType === 'master';

/** The god user the master key acts as when no `_user_id` is given (Go: `_god`). */
export const GOD_USER_ID = '_god';
