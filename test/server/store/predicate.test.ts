import { SkygearError } from '../../../src/server/core/errors';
import type { FieldType } from '../../../src/server/store/schema/field-types';
import { SqlParams } from '../../../src/server/store/query/params';
import { compilePredicate, compileSort, type KeypathResolver } from '../../../src/server/store/query/predicate';

const types: Record<string, FieldType> = {
  title: { type: 'string' },
  n: { type: 'number' },
  tags: { type: 'json' },
  due: { type: 'datetime' },
  _id: { type: 'string' },
  'author.name': { type: 'string' },
};
const resolver: KeypathResolver = {
  resolve(path) {
    const type = types[path];
    if (!type) throw new SkygearError(`unknown keypath "${path}"`, 120);
    return { sql: `c(${path})`, type };
  },
};
const kp = (v: string) => ({ $type: 'keypath', $val: v });
const compile = (pred: unknown) => {
  const params = new SqlParams();
  return { sql: compilePredicate(pred, resolver, params), params: params.values };
};
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as SkygearError).code;
  }
  return 'no error';
};

describe('compilePredicate', () => {
  it('returns null for no predicate', () => {
    expect(compile(undefined).sql).toBeNull();
    expect(compile([]).sql).toBeNull();
  });

  it.each([
    ['eq', '='],
    ['neq', '<>'],
    ['gt', '>'],
    ['gte', '>='],
    ['lt', '<'],
    ['lte', '<='],
    ['like', 'LIKE'],
    ['ilike', 'ILIKE'],
  ])('%s → %s with a bound literal', (op, sqlOp) => {
    expect(compile([op, kp('title'), 'x'])).toEqual({ sql: `c(title) ${sqlOp} $1`, params: ['x'] });
  });

  it('turns eq/neq null (either side) into IS [NOT] NULL', () => {
    expect(compile(['eq', kp('title'), null]).sql).toBe('c(title) IS NULL');
    expect(compile(['neq', null, kp('title')]).sql).toBe('c(title) IS NOT NULL');
    expect(codeOf(() => compile(['gt', kp('n'), null]))).toBe(108);
  });

  it('compiles both in forms', () => {
    expect(compile(['in', kp('title'), ['a', 'b']])).toEqual({ sql: 'c(title) IN ($1, $2)', params: ['a', 'b'] });
    expect(compile(['in', kp('title'), []]).sql).toBe('FALSE');
    expect(compile(['in', 'red', kp('tags')])).toEqual({ sql: 'c(tags) @> $1::jsonb', params: ['["red"]'] });
    expect(codeOf(() => compile(['in', 'red', kp('title')]))).toBe(108);
    expect(codeOf(() => compile(['in', kp('title'), 'x']))).toBe(108);
  });

  it('nests and/or/not', () => {
    const sql = compile(['and', ['eq', kp('title'), 'a'], ['or', ['gt', kp('n'), 1], ['not', ['lt', kp('n'), 0]]]]).sql;
    expect(sql).toBe('(c(title) = $1 AND (c(n) > $2 OR NOT (c(n) < $3)))');
  });

  it('decodes typed literals: dates to UTC timestamps, refs to keys', () => {
    expect(compile(['gt', kp('due'), { $type: 'date', $date: '2020-01-02T03:04:05.123456+02:00' }])).toEqual({
      sql: `c(due) > ($1::timestamptz AT TIME ZONE 'UTC')`,
      params: ['2020-01-02T03:04:05.123456+02:00'],
    });
    expect(compile(['eq', kp('_id'), { $type: 'ref', $id: 'note/42' }]).params).toEqual(['42']);
  });

  it('passes keypaths through the resolver (ref.field and unknown → 120)', () => {
    expect(compile(['eq', kp('author.name'), 'x']).sql).toBe('c(author.name) = $1');
    expect(codeOf(() => compile(['eq', kp('nope'), 'x']))).toBe(120);
  });

  it.each([
    ['unknown operator', ['near', kp('title'), 'x']],
    ['wrong arity', ['eq', kp('title')]],
    ['an empty not', ['not', []]],
    ['a non-array predicate', { eq: 1 }],
    ['a non-predicate operand of and', ['and', 'x']],
    ['unknown $type literal', ['eq', kp('title'), { $type: 'wat' }]],
  ])('rejects %s with 108', (_why, pred) => {
    expect(codeOf(() => compile(pred))).toBe(108);
  });

  it('marks 108 structure errors with "failed to construct query"', () => {
    expect(() => compile(['near', kp('title'), 'x'])).toThrow(/^failed to construct query: /);
  });

  it.each([
    ['equality with an array literal', ['eq', kp('tags'), ['a']]],
    ['equality with an object literal', ['eq', kp('tags'), { a: 1 }]],
    ['distance', ['lt', ['func', 'distance', kp('loc'), { $type: 'geo', $lat: 1, $lng: 2 }], 10]],
    ['userRelation', ['func', 'userRelation', kp('_owner'), { $type: 'relation', $name: '_friend', $direction: 'mutual' }]],
    ['geo literals', ['eq', kp('title'), { $type: 'geo', $lat: 1, $lng: 2 }]],
  ])('rejects %s with 111', (_why, pred) => {
    expect(codeOf(() => compile(pred))).toBe(111);
  });
});

describe('compileSort', () => {
  it('orders by keypaths', () => {
    expect(compileSort([[kp('n'), 'desc'], [kp('title'), 'asc']], resolver)).toEqual(['c(n) DESC', 'c(title) ASC']);
    expect(compileSort(undefined, resolver)).toEqual([]);
  });

  it('rejects bad orders and literals with 108, distance with 111', () => {
    expect(codeOf(() => compileSort([[kp('n'), 'up']], resolver))).toBe(108);
    expect(codeOf(() => compileSort([['n', 'asc']], resolver))).toBe(108);
    expect(codeOf(() => compileSort([[['func', 'distance', kp('l'), {}], 'asc']], resolver))).toBe(111);
  });
});
