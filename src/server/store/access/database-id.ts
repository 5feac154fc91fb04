import type { AuthContext } from '../../core/auth-context';
import { ErrorCodes, SkygearError, invalidArgument, notSupported, permissionDenied } from '../../core/errors';

/**
 * Which rows a request addresses (Part A §4.4): the public database (`_database_id = ''`), one user's
 * private database, or — master key only, read-only — all of them (`_union`).
 */
export type DatabaseScope = { kind: 'public'; id: '' } | { kind: 'private'; id: string } | { kind: 'union' };

export function resolveDatabase(auth: AuthContext, raw: unknown, mode: 'read' | 'write'): DatabaseScope {
  if (raw === undefined || raw === null || raw === '' || raw === '_public') return { kind: 'public', id: '' };
  if (typeof raw !== 'string') throw invalidArgument('invalid database ID', ['database_id']);
  const master = auth.keyType === 'master';
  if (raw === '_private') {
    if (auth.userId === null) throw new SkygearError('Authentication is needed for private DB access', ErrorCodes.NotAuthenticated);
    return { kind: 'private', id: auth.userId };
  }
  if (raw === '_union') {
    if (!master) throw permissionDenied('union database is restricted to the master key');
    if (mode === 'write') throw notSupported('modifying the selected database is not supported');
    return { kind: 'union' };
  }
  if (raw.startsWith('_')) throw invalidArgument('invalid database ID', ['database_id']);
  if (!master && raw !== auth.userId) throw permissionDenied('cannot access the private database of another user');
  return { kind: 'private', id: raw };
}
