import { invalidArgument } from './errors';

/**
 * Lambda argument normalisation.
 *
 * A lambda gets the WHOLE request body; user arguments are `param.args`: an array (positional, in the
 * order of chat-api.md §2) or an object (named), or absent. Values arrive decoded by the runtime
 * (skygear-core `fromJSON`): records as skygear Record objects, refs as Reference objects, dates as
 * Date objects. Old clients send ids as bare strings, `type/<id>` strings or raw `$type` JSON, and
 * dates as ISO strings. Every reader here accepts all of those and rejects anything else with
 * InvalidArgument (108) naming the argument.
 */
export type Args = Record<string, unknown>;

const MAX_ID_LENGTH = 256;

export function readArgs(param: unknown, names: readonly string[]): Args {
  const raw = param !== null && typeof param === 'object' ? (param as { args?: unknown }).args : undefined;
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) {
    if (raw.length > names.length) {
      throw invalidArgument(`expected at most ${names.length} arguments (${names.join(', ')}), got ${raw.length}`, ['args']);
    }
    const out: Args = {};
    raw.forEach((value, i) => {
      out[names[i]] = value;
    });
    return out;
  }
  if (typeof raw === 'object') return raw as Args;
  throw invalidArgument('args must be a list or an object', ['args']);
}

const isMissing = (v: unknown): boolean => v === undefined || v === null;

/**
 * An id of `type` from a bare id, "type/<id>", a Record (`id` = "type/<id>"), a Reference (`id`),
 * ref JSON (`$id`), record JSON (`_id`) or `{$type:'record',$record}`.
 */
export function idOf(value: unknown, type: string, name: string): string {
  let candidate: unknown = value;
  if (value !== null && typeof value === 'object') {
    const v = value as { $id?: unknown; id?: unknown; _id?: unknown; $record?: { _id?: unknown } };
    candidate = v.$id ?? (typeof v.id === 'string' ? v.id : undefined) ?? v._id ?? v.$record?._id;
  }
  if (typeof candidate !== 'string' || candidate === '') {
    throw invalidArgument(`${name} must be a ${type} id, a "${type}/<id>" string or a ${type} record`, [name]);
  }
  const slash = candidate.indexOf('/');
  let id = candidate;
  if (slash >= 0) {
    const prefix = candidate.slice(0, slash);
    if (prefix !== type) throw invalidArgument(`${name} must refer to a ${type}, got "${candidate}"`, [name]);
    id = candidate.slice(slash + 1);
  }
  if (id === '' || id.length > MAX_ID_LENGTH || id.includes('/')) {
    throw invalidArgument(`${name} contains an invalid ${type} id "${candidate}"`, [name]);
  }
  return id;
}

export function requiredId(args: Args, name: string, type: string): string {
  if (isMissing(args[name])) throw invalidArgument(`${name} is required`, [name]);
  return idOf(args[name], type, name);
}

export function optionalId(args: Args, name: string, type: string): string | undefined {
  return isMissing(args[name]) ? undefined : idOf(args[name], type, name);
}

/** A list of ids (de-duplicated, order kept). `single: true` also accepts one id instead of a list. */
export function idList(
  args: Args,
  name: string,
  type: string,
  opts: { required?: boolean; single?: boolean; max?: number } = {},
): string[] {
  const value = args[name];
  if (isMissing(value)) {
    if (opts.required === false) return [];
    throw invalidArgument(`${name} is required`, [name]);
  }
  const items = Array.isArray(value) ? value : opts.single ? [value] : null;
  if (!items) throw invalidArgument(`${name} must be a list of ${type} ids`, [name]);
  const max = opts.max ?? 1000;
  if (items.length > max) throw invalidArgument(`${name} may hold at most ${max} ids`, [name], { limit: max });
  return [...new Set(items.map((item) => idOf(item, type, name)))];
}

export function optionalString(args: Args, name: string): string | null | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`, [name]);
  return value;
}

/** A JSON object (not an array, not a Date or record). */
export function optionalObject(args: Args, name: string): Record<string, unknown> | null | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (!isPlainObject(value)) throw invalidArgument(`${name} must be a JSON object`, [name]);
  return value as Record<string, unknown>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function optionalBoolean(args: Args, name: string, fallback: boolean): boolean {
  const value = args[name];
  if (isMissing(value)) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(`${name} must be true or false`, [name]);
  return value;
}

/** An integer in [min, max]; values above `cap` are lowered to it (page sizes, limits). */
export function optionalInteger(args: Args, name: string, opts: { fallback: number; min: number; cap: number }): number {
  const value = args[name];
  if (isMissing(value)) return opts.fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < opts.min) {
    throw invalidArgument(`${name} must be an integer >= ${opts.min}`, [name]);
  }
  return Math.min(n, opts.cap);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

/** A date from a Date, `{$type:'date',$date}` or an ISO 8601 string (any precision; no zone = UTC). */
export function dateOf(value: unknown, name: string): Date {
  let date: Date | null = null;
  if (value instanceof Date) date = value;
  else if (value !== null && typeof value === 'object' && typeof (value as { $date?: unknown }).$date === 'string') {
    date = parseIso((value as { $date: string }).$date);
  } else if (typeof value === 'string') date = parseIso(value);
  if (!date || Number.isNaN(date.getTime())) {
    throw invalidArgument(`${name} must be a date (a Date, {"$type":"date"} or an ISO 8601 string)`, [name]);
  }
  return date;
}

function parseIso(text: string): Date | null {
  const trimmed = text.trim();
  if (!ISO_DATE.test(trimmed)) return null;
  const withT = trimmed.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(withT) || !withT.includes('T') ? withT : `${withT}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function optionalDate(args: Args, name: string): Date | undefined {
  return isMissing(args[name]) ? undefined : dateOf(args[name], name);
}

/**
 * A date argument for SQL, keeping the caller's precision: a JS Date has milliseconds, but a
 * `$date`/ISO string may carry microseconds (the database's precision), which paging by time needs.
 * Compare it as `($n::timestamptz AT TIME ZONE 'UTC')` so any zone offset is honoured.
 */
export function optionalTimestamp(args: Args, name: string): string | undefined {
  const value = args[name];
  if (isMissing(value)) return undefined;
  const date = dateOf(value, name);
  const text = typeof value === 'string' ? value : typeof (value as { $date?: unknown }).$date === 'string' ? (value as { $date: string }).$date : null;
  if (text === null) return date.toISOString();
  const trimmed = text.trim().replace(' ', 'T');
  return /([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
}

export function oneOf<T extends string>(args: Args, name: string, allowed: readonly T[]): T {
  const value = args[name];
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(`${name} must be one of ${allowed.join(', ')}`, [name]);
  }
  return value as T;
}
