import { invalidArgument, type SkygearError } from '../../core/errors';
import { isRfc3339 } from './timestamps';

/**
 * Skygear's typed values (Part A §4.2: `{"$type": …}` wrappers) checked wherever they may appear
 * nested — lambda arguments, JSON record fields, records inside records — before anything decodes
 * them. skygear-core's `fromJSON` (what every in-process and skygear-node lambda and hook receives)
 * throws a bare TypeError or Error on a malformed one ("Empty record id", "Latitude is not a
 * number", "Cannot read properties of undefined (reading '_id')"), which cloud code reports as
 * 10000; here the same value is a 108 whose message and `info.arguments` name where it is.
 *
 * The walk is iterative with its own depth bound, so no input can exhaust the stack.
 */

/** Deeper than this is refused: no Skygear client nests values anywhere near it. */
export const MAX_VALUE_DEPTH = 100;

/** Every `$type` skygear-core or Go gives a meaning to, and what a well-formed one needs. */
const CHECKS: Record<string, (v: Record<string, unknown>) => { member: string; problem: string } | null> = {
  date: (v) => (typeof v.$date === 'string' && isRfc3339(v.$date) ? null : { member: '$date', problem: 'must be an RFC 3339 time' }),
  ref: (v) => (isRecordId(v.$id) ? null : { member: '$id', problem: 'must be a "type/id" string' }),
  asset: (v) => {
    if (typeof v.$name !== 'string' || v.$name === '') return { member: '$name', problem: 'must be a non-empty string' };
    for (const member of ['$url', '$content_type']) {
      if (v[member] !== undefined && v[member] !== null && typeof v[member] !== 'string') return { member, problem: 'must be a string' };
    }
    return null;
  },
  geo: (v) => {
    if (!inRange(v.$lat, 90)) return { member: '$lat', problem: 'must be a number from -90 to 90' };
    if (!inRange(v.$lng, 180)) return { member: '$lng', problem: 'must be a number from -180 to 180' };
    return null;
  },
  unknown: (v) =>
    v.$underlying_type === undefined || typeof v.$underlying_type === 'string' ? null : { member: '$underlying_type', problem: 'must be a string' },
  seq: () => null,
  relation: (v) => {
    if (typeof v.$name !== 'string') return { member: '$name', problem: 'must be a string' };
    if (typeof v.$direction !== 'string') return { member: '$direction', problem: 'must be a string' };
    return null;
  },
  keypath: (v) => (typeof v.$val === 'string' ? null : { member: '$val', problem: 'must be a string' }),
  record: (v) => recordProblem(v.$record),
};

const isRecordId = (id: unknown): boolean => {
  if (typeof id !== 'string') return false;
  const slash = id.indexOf('/');
  // skygear-core's Record refuses a type starting with '_' (and an empty one).
  return slash > 0 && slash < id.length - 1 && !id.startsWith('_');
};

const inRange = (n: unknown, limit: number): boolean => typeof n === 'number' && Number.isFinite(n) && n >= -limit && n <= limit;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What skygear-core's Record constructor needs of `$record` (its fields are walked like any value). */
function recordProblem(record: unknown): { member: string; problem: string } | null {
  if (!isPlainObject(record)) return { member: '$record', problem: 'must be a record object' };
  if (!isRecordId(record._id)) return { member: '$record._id', problem: 'must be a "type/id" string' };
  const access = record._access;
  if (access !== undefined && access !== null) {
    if (!Array.isArray(access)) return { member: '$record._access', problem: 'must be a list of ACL entries' };
    const entryOk = (e: unknown) =>
      isPlainObject(e) && (e.public === true || typeof e.role === 'string' || typeof e.user_id === 'string') &&
      (e.level === undefined || e.level === 'read' || e.level === 'write');
    const bad = access.findIndex((e) => !entryOk(e));
    if (bad >= 0) return { member: `$record._access[${bad}]`, problem: 'must be {public|role|user_id, level: read|write}' };
  }
  for (const member of ['_created_at', '_updated_at']) {
    const at = record[member];
    if (at !== undefined && at !== null && !(typeof at === 'string' && isRfc3339(at))) {
      return { member: `$record.${member}`, problem: 'must be an RFC 3339 time' };
    }
  }
  if (record._transient !== undefined && record._transient !== null && !isPlainObject(record._transient)) {
    return { member: '$record._transient', problem: 'must be an object' };
  }
  return null;
}

const memberPath = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

/** The 108 for a value at `path`; `argument` is what `info.arguments` names. */
const malformed = (argument: string, message: string): SkygearError => invalidArgument(message, [argument]);

/**
 * Throws 108 for the first malformed typed value in `value` (or a nesting deeper than
 * MAX_VALUE_DEPTH); `root` names `value` itself, e.g. `args` or a record field's name.
 */
export function checkTypedValues(value: unknown, root: string, maxDepth = MAX_VALUE_DEPTH): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) throw malformed(path, `${path}: nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: memberPath(path, i), depth: depth + 1 });
      continue;
    }
    const obj = v as Record<string, unknown>;
    if ('$type' in obj) {
      const type = obj.$type;
      const check = typeof type === 'string' && Object.hasOwn(CHECKS, type) ? CHECKS[type] : undefined;
      if (!check) throw malformed(memberPath(path, '$type'), `${memberPath(path, '$type')}: unknown $type ${JSON.stringify(type) ?? 'undefined'}`);
      const problem = check(obj);
      if (problem) {
        const where = `${path}.${problem.member}`;
        throw malformed(where, `${where}: malformed $type "${type}" value: ${problem.member} ${problem.problem}`);
      }
      // A record's fields are values like any other; the other wrappers hold only scalars.
      if (type === 'record') stack.push({ value: obj.$record, path: `${path}.$record`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(obj);
    for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: obj[keys[i]], path: memberPath(path, keys[i]), depth: depth + 1 });
  }
}

/** The nesting depth bound alone, for values whose `$type`s another parser owns (predicates). */
export function checkDepth(value: unknown, root: string, maxDepth = MAX_VALUE_DEPTH): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) throw malformed(root, `${root}: nested deeper than ${maxDepth} levels (at ${path.slice(0, 200)})`);
    const entries: Array<[string | number, unknown]> = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [k, x] of entries) stack.push({ value: x, path: memberPath(path, k), depth: depth + 1 });
  }
}
