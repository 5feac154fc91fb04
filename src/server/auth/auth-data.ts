import { ErrorCodes, SkygearError, invalidArgument } from '../core/errors';

/**
 * Auth data (Part A §3.2): the user-record fields that identify a user. Go's default
 * AUTH_RECORD_KEYS is [["username"], ["email"]]: each inner list is a key set, and a login or signup
 * needs at least one set whose members are all given.
 */
export const AUTH_RECORD_KEYS: ReadonlyArray<readonly string[]> = [['username'], ['email']];
const ALL_KEYS = new Set(AUTH_RECORD_KEYS.flat());

export type AuthData = Record<string, string>;

const invalidAuthData = () => invalidArgument('invalid auth data', ['auth_data']);

/** The non-null auth data entries, or null when nothing was given (an anonymous signup). */
export function parseAuthData(value: unknown): AuthData | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidAuthData();
  const out: AuthData = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === null || v === undefined) continue;
    if (!ALL_KEYS.has(key) || typeof v !== 'string' || v === '') throw invalidAuthData();
    out[key] = v;
  }
  if (Object.keys(out).length === 0) return null;
  if (!AUTH_RECORD_KEYS.some((set) => set.every((k) => k in out))) throw invalidAuthData();
  return out;
}

export function requireAuthData(value: unknown): AuthData {
  const data = parseAuthData(value);
  if (!data) throw invalidAuthData();
  return data;
}

/** Profile for signup: an object of record fields, or null. */
export function parseProfile(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('profile must be an object', ['profile']);
  return value as Record<string, unknown>;
}

export function optionalPassword(value: unknown, argument = 'password'): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') throw invalidArgument(`${argument} must be a string`, [argument]);
  return value;
}

export function requirePassword(value: unknown, argument = 'password'): string {
  const password = optionalPassword(value, argument);
  if (password === '') throw invalidArgument(`empty ${argument.replace(/_/g, ' ')}`, [argument]);
  return password;
}

export const userDuplicated = () => new SkygearError('user duplicated', ErrorCodes.Duplicated);
