import type { AuthContext } from '../../core/auth-context';
import { invalidArgument } from '../../core/errors';
import type { SqlParams } from '../query/params';
import type { Acl, AclEntry } from '../codec/record-json';

/**
 * Record ACL (Part A §5): parsing `_access`, the per-record check of §5.2, and the SQL read filter
 * queries use. Pure; the master key is decided by the caller and passed in.
 */
export type AccessLevel = 'read' | 'write';

export interface AclSubject {
  userId: string | null;
  roles: string[];
  master: boolean;
}

export const subjectOf = (auth: AuthContext): AclSubject => ({
  userId: auth.userId,
  roles: auth.roles,
  master: auth.keyType === 'master',
});

/** The parts of a stored record the check looks at. */
export interface AclTarget {
  access: Acl;
  ownerId: string;
  /** '' = public database, otherwise the private database's owner. */
  databaseId: string;
}

/** Validates `_access`: null/absent → null; an array of entries with a valid level and one subject. */
export function parseAcl(raw: unknown): Acl {
  if (raw === null || raw === undefined) return null;
  if (!Array.isArray(raw)) throw invalidArgument('_access must be an array', ['_access']);
  return raw.map(parseEntry);
}

function parseEntry(raw: unknown): AclEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidArgument('invalid ACL entry', ['_access']);
  const e = raw as Record<string, unknown>;
  if (e.level !== 'read' && e.level !== 'write') {
    throw invalidArgument(`ACL entry level must be "read" or "write", got ${JSON.stringify(e.level ?? null)}`, ['_access']);
  }
  const entry: AclEntry = { level: e.level };
  if (e.public === true) entry.public = true;
  if (typeof e.role === 'string' && e.role !== '') entry.role = e.role;
  if (typeof e.user_id === 'string' && e.user_id !== '') entry.user_id = e.user_id;
  if (typeof e.relation === 'string' && e.relation !== '') entry.relation = e.relation;
  const subjects = [entry.public, entry.role, entry.user_id].filter((s) => s !== undefined).length;
  // Legacy relation entries are kept (and never grant anything, see entryMatches); `$direct` ones carry a user_id.
  if (subjects > 1 || (subjects === 0 && entry.relation === undefined)) {
    throw invalidArgument('ACL entry needs exactly one of public, role, user_id', ['_access']);
  }
  return entry;
}

/** §5.2 evaluation, in Go's order. */
export function hasAccess(target: AclTarget, who: AclSubject, level: AccessLevel): boolean {
  if (who.master) return true;
  if (target.access === null) return true;
  if (target.databaseId !== '' && target.databaseId !== who.userId) return false;
  if (who.userId !== null && target.ownerId === who.userId) return true;
  return target.access.some((entry) => entryMatches(entry, who) && (level === 'read' || entry.level === 'write'));
}

function entryMatches(entry: AclEntry, who: AclSubject): boolean {
  if (entry.public) return true;
  if (who.userId === null) return false;
  if (entry.user_id !== undefined) return entry.user_id === who.userId && (entry.relation === undefined || entry.relation === '$direct');
  if (entry.role !== undefined) return who.roles.includes(entry.role);
  return false;
}

/**
 * The query read filter for the public database (§5.2): any entry naming the caller counts as read.
 * Returns null when no filtering applies (master key). `alias` is the record table's SQL alias.
 */
export function aclReadFilterSql(alias: string, who: AclSubject, params: SqlParams): string | null {
  if (who.master) return null;
  const access = `${alias}."_access"`;
  const contains = (entry: Record<string, unknown>) => `${access} @> ${params.add(JSON.stringify([entry]))}::jsonb`;
  const terms = [`${access} IS NULL`, contains({ public: true })];
  if (who.userId !== null) {
    terms.push(`${alias}."_owner_id" = ${params.add(who.userId)}`, contains({ user_id: who.userId }));
    for (const role of who.roles) terms.push(contains({ role }));
  }
  return `(${terms.join(' OR ')})`;
}
