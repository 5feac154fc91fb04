import { invalidArgument } from '../../core/errors';

/** A required array of non-empty strings in the body (108 naming the argument otherwise). */
export function stringList(body: Record<string, unknown>, name: string, opts: { nonEmpty?: boolean } = {}): string[] {
  const value = body[name];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw invalidArgument(`${name} must be a list of strings`, [name]);
  }
  if (opts.nonEmpty && value.length === 0) throw invalidArgument(`${name} must not be empty`, [name]);
  return value as string[];
}

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidArgument(`${name} must be a string`, [name]);
  return value;
}
