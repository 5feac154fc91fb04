/**
 * fast-check generators for Skygear's typed values (Part A §4.2): every `$type` well formed, the
 * ways each is broken (what skygear-core's fromJSON or Go's decoder throws on), and either one
 * nested at any depth inside arrays and objects, with the path a 108 must name.
 */
import fc from 'fast-check';

type Json = unknown;

const isoDate = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const recordId = (type: string) => fc.uuid().map((id) => `${type}/${id}`);

/** One well-formed value of each `$type` a client may send. */
export const wellFormedTypedValue: fc.Arbitrary<Json> = fc.oneof(
  isoDate.map(($date) => ({ $type: 'date', $date })),
  fc.constantFrom('user', 'message', 'conversation', 'note').chain(recordId).map(($id) => ({ $type: 'ref', $id })),
  fc.record({ $name: fc.uuid().map((u) => `${u}-a.png`), $content_type: fc.constant('image/png') }).map((a) => ({ $type: 'asset', ...a })),
  fc
    .record({ $lat: fc.double({ min: -90, max: 90, noNaN: true }), $lng: fc.double({ min: -180, max: 180, noNaN: true }) })
    .map((g) => ({ $type: 'geo', ...g })),
  fc.constant({ $type: 'unknown', $underlying_type: 'money' }),
  fc.constant({ $type: 'seq' }),
  fc.constant({ $type: 'relation', $name: 'friend', $direction: 'mutual' }),
  fc.tuple(recordId('note'), isoDate).map(([_id, $date]) => ({ $type: 'record', $record: { _id, title: 'n', when: { $type: 'date', $date } } })),
);

/** A broken value, and the member a 108 names relative to the value's own path. */
export interface Broken {
  value: Json;
  member: string;
}

const broken = (value: Json, member: string): Broken => ({ value, member });

/** The malformed values the issue probed by hand, and their relatives for every type. */
export const malformedTypedValue: fc.Arbitrary<Broken> = fc.oneof(
  fc.constantFrom(
    broken({ $type: 'record' }, '$record'),
    broken({ $type: 'record', $record: 5 }, '$record'),
    broken({ $type: 'record', $record: {} }, '$record._id'),
    broken({ $type: 'record', $record: { _id: 'no-slash' } }, '$record._id'),
    broken({ $type: 'record', $record: { _id: '_user/1' } }, '$record._id'),
    broken({ $type: 'record', $record: { _id: 'note/1', _access: 'public' } }, '$record._access'),
    broken({ $type: 'record', $record: { _id: 'note/1', _access: [{ level: 'read' }] } }, '$record._access[0]'),
    broken({ $type: 'record', $record: { _id: 'note/1', _created_at: 'yesterday' } }, '$record._created_at'),
    broken({ $type: 'ref' }, '$id'),
    broken({ $type: 'ref', $id: 42 }, '$id'),
    broken({ $type: 'ref', $id: '' }, '$id'),
    broken({ $type: 'ref', $id: 'no-slash' }, '$id'),
    broken({ $type: 'ref', $id: 'user/' }, '$id'),
    broken({ $type: 'asset' }, '$name'),
    broken({ $type: 'asset', $name: '' }, '$name'),
    broken({ $type: 'asset', $name: 7 }, '$name'),
    broken({ $type: 'asset', $name: 'a.png', $url: 3 }, '$url'),
    broken({ $type: 'geo', $lat: 'x', $lng: 0 }, '$lat'),
    broken({ $type: 'geo', $lat: 0 }, '$lng'),
    broken({ $type: 'geo', $lat: 91, $lng: 0 }, '$lat'),
    broken({ $type: 'geo', $lat: 0, $lng: -181 }, '$lng'),
    broken({ $type: 'date' }, '$date'),
    broken({ $type: 'date', $date: 'tomorrow' }, '$date'),
    broken({ $type: 'date', $date: 1700000000 }, '$date'),
    broken({ $type: 'unknown', $underlying_type: 5 }, '$underlying_type'),
    broken({ $type: 'relation' }, '$name'),
    broken({ $type: 'keypath' }, '$val'),
    broken({ $type: 5 }, '$type'),
    broken({ $type: null }, '$type'),
    broken({ $type: 'nonsense' }, '$type'),
  ),
  // A record whose own field holds a broken value.
  fc
    .tuple(recordId('note'), fc.constantFrom<Broken>(broken({ $type: 'ref' }, '$id'), broken({ $type: 'geo', $lat: 'x' }, '$lat')))
    .map(([_id, inner]) => broken({ $type: 'record', $record: { _id, inner: inner.value } }, `$record.inner.${inner.member}`)),
);

/** Plain JSON that is no typed value: what the broken one hides among. */
export const plainFiller: fc.Arbitrary<Json> = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.uuid(), fc.boolean(), fc.constant(null));

const KEY = /^[A-Za-z_$][\w$]*$/;
const step = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

export interface Nested {
  value: Json;
  /** Path of the nested value below the container's root, e.g. `[2].meta[0]` (empty: the value itself). */
  path: string;
}

/** `inner` wrapped in 0..maxDepth arrays and objects, among plain siblings. */
export function nested(inner: fc.Arbitrary<Json>, maxDepth = 6): fc.Arbitrary<Nested> {
  const layer = fc.record({
    asArray: fc.boolean(),
    siblings: fc.array(plainFiller, { maxLength: 3 }),
    at: fc.nat(3),
    key: fc.constantFrom('meta', 'x', 'deep', 'a b', 'list'),
  });
  return fc.tuple(inner, fc.array(layer, { maxLength: maxDepth })).map(([value, layers]) => {
    let current = value;
    let path = '';
    // Innermost layer first; the path is built outside-in, so prepend each step.
    for (const l of layers) {
      if (l.asArray) {
        const at = Math.min(l.at, l.siblings.length);
        const arr = [...l.siblings];
        arr.splice(at, 0, current);
        current = arr;
        path = step('', at) + path;
      } else {
        const obj: Record<string, Json> = Object.fromEntries(l.siblings.map((s, i) => [`s${i}`, s]));
        obj[l.key] = current;
        current = obj;
        path = step('', l.key) + path;
      }
    }
    return { value: current, path };
  });
}
