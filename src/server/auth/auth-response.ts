import type { RecordJSON } from '../store/codec/record-json';

/** The result of signup, login, me and auth:password (Part A §3.1). */
export interface AuthResponse {
  user_id: string;
  /** The user record as the user may read it; null when there is none. */
  profile: RecordJSON | null;
  roles?: string[];
  access_token: string;
  /** The values before this request updated them. */
  last_login_at?: string;
  last_seen_at?: string;
}

export function authResponse(input: {
  userId: string;
  profile: RecordJSON | null;
  roles: string[];
  token: string;
  lastLoginAt: Date | null;
  lastSeenAt: Date | null;
}): AuthResponse {
  const out: AuthResponse = { user_id: input.userId, profile: input.profile, access_token: input.token };
  if (input.roles.length > 0) out.roles = input.roles;
  if (input.lastLoginAt) out.last_login_at = input.lastLoginAt.toISOString();
  if (input.lastSeenAt) out.last_seen_at = input.lastSeenAt.toISOString();
  return out;
}
