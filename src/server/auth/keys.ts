import { timingSafeEqual } from 'node:crypto';
import { ErrorCodes, SkygearError } from '../core/errors';
import type { AccessKeyType } from '../core/auth-context';

export interface KeyConfig {
  apiKey: string;
  masterKey: string;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a presented key turned out to be: none, a valid kind, or wrong (→ 103 when it matters). */
export type KeyCheck = { kind: AccessKeyType | null } | { kind: 'wrong'; error: SkygearError };

/** Part A §1.7: MASTER_KEY → master, API_KEY → client, '' → none, anything else → 103. */
export function classifyKey(key: string, config: KeyConfig): KeyCheck {
  if (key === '') return { kind: null };
  if (sameSecret(key, config.masterKey)) return { kind: 'master' };
  if (sameSecret(key, config.apiKey)) return { kind: 'client' };
  return { kind: 'wrong', error: wrongKeyError(key) };
}

export const wrongKeyError = (key: string): SkygearError =>
  new SkygearError(`Cannot verify api key: \`${key}\``, ErrorCodes.AccessKeyNotAccepted);

/** Go's AccessKeyValidationPreprocessor: an action that needs a key got none (101, not 103). */
export const apiKeyEmpty = (): SkygearError => new SkygearError('Api key is empty', ErrorCodes.NotAuthenticated);
