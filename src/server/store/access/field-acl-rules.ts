import type { RecordJSON } from '../codec/record-json';

/**
 * Field ACL (Part A §5.6): per (record type, field) rules deciding, for the acting user and the
 * record at hand, whether a field may be written, read, compared in a query or used to find
 * records by equality. Pure: loading and caching the rules is field-acl-table.ts's business.
 *
 * Evaluation for (type, field, mode): the first non-empty rule group among (type, field),
 * (type, `*`), (`*`, field), (`*`, `*`); its entries ordered by role kind (`_owner`, `_user_id:…`,
 * `_field:…`, `_role:…`, `_any_user`, `_public`); the first entry whose role matches decides.
 * No group ⇒ allowed; a group none of whose entries match ⇒ denied. Fields starting with `_` are
 * never subject to it, and the caller skips it entirely for the master key.
 */
export interface FieldAccessEntry {
  record_type: string;
  record_field: string;
  user_role: string;
  writable: boolean;
  readable: boolean;
  comparable: boolean;
  discoverable: boolean;
}

/** `discoverable` also admits a comparable field: equality chains need either (§5.6). */
export type FieldAccessMode = 'writable' | 'readable' | 'comparable' | 'discoverable';

export interface FieldAclSubject {
  userId: string | null;
  roles: string[];
}

const ROLE_KIND_ORDER = ['_owner', '_user_id:', '_field:', '_role:', '_any_user', '_public'];
const WILDCARD = '*';

/** The rank of a user_role by kind, or -1 for a role string that is none of them. */
export function roleKindRank(userRole: string): number {
  return ROLE_KIND_ORDER.findIndex((kind) => (kind.endsWith(':') ? userRole.startsWith(kind) && userRole.length > kind.length : userRole === kind));
}

export class FieldAcl {
  /** `${type}\u0000${field}` → entries ordered by role kind. */
  private readonly groups = new Map<string, FieldAccessEntry[]>();
  /** Record types some rule names (`*` included): every other type skips the per-field lookups. */
  private readonly types = new Set<string>();

  constructor(entries: readonly FieldAccessEntry[]) {
    for (const entry of entries) {
      this.types.add(entry.record_type);
      const key = groupKey(entry.record_type, entry.record_field);
      const group = this.groups.get(key) ?? [];
      group.push(entry);
      this.groups.set(key, group);
    }
    for (const group of this.groups.values()) group.sort((a, b) => roleKindRank(a.user_role) - roleKindRank(b.user_role));
  }

  get isEmpty(): boolean {
    return this.groups.size === 0;
  }

  /** Whether any rule can apply to a record of `type`. */
  covers(type: string): boolean {
    return this.types.has(type) || this.types.has(WILDCARD);
  }

  /** Whether `who` may use `field` of a `type` record in `mode`; `record` (if any) for `_owner`/`_field` roles. */
  allows(type: string, field: string, mode: FieldAccessMode, who: FieldAclSubject, record?: RecordJSON | null): boolean {
    if (field.startsWith('_') || !this.covers(type)) return true;
    const group = this.groupFor(type, field);
    if (!group) return true;
    const entry = group.find((e) => roleMatches(e.user_role, who, record ?? null));
    if (!entry) return false;
    return mode === 'discoverable' ? entry.discoverable || entry.comparable : entry[mode];
  }

  /** The fields of `record` that `who` may not read, for a record of `type`. */
  unreadable(type: string, record: RecordJSON, who: FieldAclSubject): string[] {
    if (!this.covers(type)) return [];
    return Object.keys(record).filter((field) => !this.allows(type, field, 'readable', who, record));
  }

  /**
   * `record` as `who` may see it: unreadable fields removed (silently, as Go does), also inside the
   * included records of `_transient`, each judged by its own type. Returns the same object when
   * nothing is hidden.
   */
  filterRead(record: RecordJSON, who: FieldAclSubject): RecordJSON {
    if (this.isEmpty) return record;
    const type = typeOf(record);
    const hidden = type ? this.unreadable(type, record, who) : [];
    const transient = record._transient;
    const filteredTransient = transient && typeof transient === 'object' ? this.filterTransient(transient as Record<string, unknown>, who) : transient;
    if (hidden.length === 0 && filteredTransient === transient) return record;
    const out: RecordJSON = { ...record };
    for (const field of hidden) delete out[field];
    if (filteredTransient !== transient) out._transient = filteredTransient;
    return out;
  }

  private filterTransient(transient: Record<string, unknown>, who: FieldAclSubject): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(transient)) {
      const filtered = Array.isArray(value) ? value.map((v) => this.filterIncluded(v, who)) : this.filterIncluded(value, who);
      const changed = Array.isArray(value) ? (filtered as unknown[]).some((v, i) => v !== value[i]) : filtered !== value;
      if (changed) (out ??= { ...transient })[name] = filtered;
    }
    return out ?? transient;
  }

  private filterIncluded(value: unknown, who: FieldAclSubject): unknown {
    return isRecordJSON(value) ? this.filterRead(value, who) : value;
  }

  private groupFor(type: string, field: string): FieldAccessEntry[] | undefined {
    for (const [t, f] of [[type, field], [type, WILDCARD], [WILDCARD, field], [WILDCARD, WILDCARD]]) {
      const group = this.groups.get(groupKey(t, f));
      if (group && group.length > 0) return group;
    }
    return undefined;
  }
}

function roleMatches(userRole: string, who: FieldAclSubject, record: RecordJSON | null): boolean {
  if (userRole === '_public') return true;
  if (userRole === '_any_user') return who.userId !== null;
  if (who.userId === null) return false;
  if (userRole === '_owner') return record !== null && record._ownerID === who.userId;
  if (userRole.startsWith('_user_id:')) return userRole.slice('_user_id:'.length) === who.userId;
  if (userRole.startsWith('_role:')) return who.roles.includes(userRole.slice('_role:'.length));
  if (userRole.startsWith('_field:')) return record !== null && holdsUser(record[userRole.slice('_field:'.length)], who.userId);
  return false;
}

/** A field "holds" a user as the id string, a `user/<id>` ref, or a list containing either. */
function holdsUser(value: unknown, userId: string): boolean {
  if (Array.isArray(value)) return value.some((v) => holdsUser(v, userId));
  if (typeof value === 'string') return value === userId;
  const ref = value as { $type?: unknown; $id?: unknown } | null;
  return typeof ref === 'object' && ref !== null && ref.$type === 'ref' && ref.$id === `user/${userId}`;
}

const groupKey = (type: string, field: string) => `${type}\u0000${field}`;

function typeOf(record: RecordJSON): string | undefined {
  const slash = typeof record._id === 'string' ? record._id.indexOf('/') : -1;
  return slash > 0 ? record._id.slice(0, slash) : undefined;
}

function isRecordJSON(value: unknown): value is RecordJSON {
  return typeof value === 'object' && value !== null && typeof (value as { _id?: unknown })._id === 'string';
}

/**
 * The fields a record:query uses and how (§5.6): keypaths compared by `eq`/`in` directly under the
 * top level or an `and` chain need discoverable (or comparable); every other use in a predicate
 * and every sort key needs comparable; an include needs readable. A keypath `ref.field` is judged
 * by its first component, the field of the queried type.
 */
export function queryFieldUses(predicate: unknown, sort: unknown, include: unknown): Array<{ field: string; mode: FieldAccessMode }> {
  const uses: Array<{ field: string; mode: FieldAccessMode }> = [];
  const keypathField = (raw: unknown): string | undefined => {
    const o = raw as { $type?: unknown; $val?: unknown } | null;
    return typeof o === 'object' && o !== null && o.$type === 'keypath' && typeof o.$val === 'string' ? o.$val.split('.')[0] : undefined;
  };
  const walk = (node: unknown, equalityChain: boolean): void => {
    if (!Array.isArray(node) || typeof node[0] !== 'string') return;
    const [op, ...operands] = node as [string, ...unknown[]];
    if (op === 'and') {
      for (const operand of operands) walk(operand, equalityChain);
      return;
    }
    const mode: FieldAccessMode = equalityChain && (op === 'eq' || op === 'in') ? 'discoverable' : 'comparable';
    for (const operand of operands) {
      const field = keypathField(operand);
      if (field) uses.push({ field, mode });
      else walk(operand, false);
    }
  };
  walk(predicate, true);
  if (Array.isArray(sort)) {
    for (const item of sort) {
      const field = Array.isArray(item) ? keypathField(item[0]) : undefined;
      if (field) uses.push({ field, mode: 'comparable' });
    }
  }
  if (include && typeof include === 'object' && !Array.isArray(include)) {
    for (const value of Object.values(include as Record<string, unknown>)) {
      const field = keypathField(value);
      if (field) uses.push({ field, mode: 'readable' });
    }
  }
  return uses;
}
