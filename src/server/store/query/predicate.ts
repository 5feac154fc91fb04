import { ErrorCodes, SkygearError, notSupported } from '../../core/errors';
import { bindSql, decodeValue, type Decoded } from '../codec/wire-values';
import type { FieldType } from '../schema/field-types';
import type { SqlParams } from './params';

/**
 * record:query predicates and sorts (Part A §4.7) → parameterised SQL. Pure: column lookup (and the
 * LEFT JOINs `ref.field` needs) is the resolver's business, so this file can be tested alone.
 */
export interface ResolvedKeypath {
  sql: string;
  type: FieldType;
}

/** Resolves "field" or "ref.field"; throws 120 for unknown keypaths. */
export interface KeypathResolver {
  resolve(path: string): ResolvedKeypath;
}

export const queryInvalid = (detail: string): SkygearError =>
  new SkygearError(`failed to construct query: ${detail}`, ErrorCodes.InvalidArgument);

type Expr = { kind: 'keypath'; path: string } | { kind: 'literal'; value: Decoded } | { kind: 'list'; values: unknown[] };

const COMPARISONS: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=', like: 'LIKE', ilike: 'ILIKE' };

/** SQL for the predicate, or null when there is none (absent or `[]` at the top). */
export function compilePredicate(predicate: unknown, resolver: KeypathResolver, params: SqlParams): string | null {
  if (predicate === undefined || predicate === null) return null;
  if (Array.isArray(predicate) && predicate.length === 0) return null;
  return new PredicateCompiler(resolver, params).predicate(predicate);
}

/** ORDER BY terms for `[[keypath, "asc"|"desc"], …]`. */
export function compileSort(sort: unknown, resolver: KeypathResolver): string[] {
  if (sort === undefined || sort === null) return [];
  if (!Array.isArray(sort)) throw queryInvalid('sort must be an array');
  return sort.map((item) => {
    if (!Array.isArray(item) || item.length !== 2) throw queryInvalid('sort item must be [expression, order]');
    const [expr, order] = item;
    if (order !== 'asc' && order !== 'desc') throw queryInvalid(`unknown sort order ${JSON.stringify(order)}`);
    if (Array.isArray(expr) && expr[0] === 'func') throw notSupported('sorting by distance is not supported');
    if (!isKeypath(expr)) throw queryInvalid('sort expression must be a keypath');
    return `${resolver.resolve(expr.$val).sql} ${order === 'asc' ? 'ASC' : 'DESC'}`;
  });
}

function isKeypath(raw: unknown): raw is { $type: 'keypath'; $val: string } {
  const o = raw as { $type?: unknown; $val?: unknown } | null;
  return typeof o === 'object' && o !== null && o.$type === 'keypath' && typeof o.$val === 'string';
}

class PredicateCompiler {
  constructor(private readonly resolver: KeypathResolver, private readonly params: SqlParams) {}

  predicate(raw: unknown): string {
    if (!Array.isArray(raw) || raw.length < 2 || typeof raw[0] !== 'string') {
      throw queryInvalid(`predicate must be [operator, operands…], got ${JSON.stringify(raw)}`);
    }
    const [op, ...operands] = raw as [string, ...unknown[]];
    switch (op) {
      case 'and':
      case 'or':
        return `(${operands.map((p) => this.predicate(p)).join(op === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        if (operands.length !== 1) throw queryInvalid('not takes exactly one predicate');
        return `NOT (${this.predicate(operands[0])})`;
      case 'func':
        throw operands[0] === 'userRelation'
          ? notSupported('userRelation predicates are not supported')
          : queryInvalid(`unknown function ${JSON.stringify(operands[0])}`);
      case 'in':
        return this.inPredicate(operands);
      default:
        if (!(op in COMPARISONS)) throw queryInvalid(`unknown operator "${op}"`);
        return this.comparison(op, operands);
    }
  }

  private operands(op: string, operands: unknown[]): [Expr, Expr] {
    if (operands.length !== 2) throw queryInvalid(`${op} takes exactly two operands`);
    return [this.expression(operands[0]), this.expression(operands[1])];
  }

  private comparison(op: string, raw: unknown[]): string {
    const [lhs, rhs] = this.operands(op, raw);
    if (lhs.kind === 'list' || rhs.kind === 'list' || isJson(lhs) || isJson(rhs)) {
      throw notSupported(`${op} with an array or map literal is not supported`);
    }
    const lhsNull = isNull(lhs);
    const rhsNull = isNull(rhs);
    if (lhsNull || rhsNull) {
      if (op !== 'eq' && op !== 'neq') throw queryInvalid(`${op} cannot compare with null`);
      if (lhsNull && rhsNull) throw queryInvalid('cannot compare null with null');
      return `${this.sql(lhsNull ? rhs : lhs)} IS ${op === 'eq' ? '' : 'NOT '}NULL`;
    }
    return `${this.sql(lhs)} ${COMPARISONS[op]} ${this.sql(rhs)}`;
  }

  /** `[in, keypath, [v…]]` → IN list; `[in, "value", keypath]` → the json array column contains it. */
  private inPredicate(raw: unknown[]): string {
    const [lhs, rhs] = this.operands('in', raw);
    if (lhs.kind === 'keypath' && rhs.kind === 'list') {
      if (rhs.values.length === 0) return 'FALSE';
      const items = rhs.values.map((v) => {
        const decoded = decodeValue(v, 'in');
        if (decoded.kind === 'null' || decoded.kind === 'json') throw queryInvalid('in list items must be scalars');
        return bindSql(decoded, (x) => this.params.add(x));
      });
      return `${this.sql(lhs)} IN (${items.join(', ')})`;
    }
    if (lhs.kind === 'literal' && rhs.kind === 'keypath' && isScalar(lhs.value)) {
      const column = this.resolver.resolve(rhs.path);
      if (column.type.type !== 'json') throw queryInvalid(`in: "${rhs.path}" is not a json column`);
      return `${column.sql} @> ${this.params.add(JSON.stringify([(lhs.value as { value: unknown }).value]))}::jsonb`;
    }
    throw queryInvalid('in needs [in, keypath, [values…]] or [in, value, keypath]');
  }

  private expression(raw: unknown): Expr {
    if (isKeypath(raw)) return { kind: 'keypath', path: raw.$val };
    if (Array.isArray(raw)) {
      if (raw[0] === 'func') {
        if (raw[1] === 'distance') throw notSupported('distance queries are not supported (no PostGIS)');
        throw queryInvalid(`unknown function ${JSON.stringify(raw[1])}`);
      }
      return { kind: 'list', values: raw };
    }
    const value = decodeValue(raw, 'predicate');
    if (value.kind === 'sequence' || value.kind === 'unknown') throw queryInvalid(`cannot compare with a ${value.kind} value`);
    return { kind: 'literal', value };
  }

  private sql(e: Expr): string {
    if (e.kind === 'keypath') return this.resolver.resolve(e.path).sql;
    if (e.kind === 'list') throw queryInvalid('unexpected list');
    return bindSql(e.value, (x) => this.params.add(x));
  }
}

const isNull = (e: Expr) => e.kind === 'literal' && e.value.kind === 'null';
const isJson = (e: Expr) => e.kind === 'literal' && e.value.kind === 'json';
const isScalar = (d: Decoded) => d.kind === 'string' || d.kind === 'number' || d.kind === 'boolean';
