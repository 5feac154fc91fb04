
import { dateOf, idList, idOf, optionalInteger, optionalTimestamp, readArgs } from '../../src/plugin/args';
import { distinctKey, receiptId, userConversationId } from '../../src/plugin/ids';

const skygear: any = require('skygear');

/** Pure parts: deterministic ids and argument normalisation. */
describe('deterministic ids (features §0.4)', () => {
  test('match the seed and 1.7 examples', () => {
    expect(userConversationId('c1', 'u1')).toBe('839af7e4-3ad9-8092-ba92-0901169de5aa');
    expect(receiptId('m1', 'u1')).toBe('c4b4d71c-d6e8-afe7-6c53-0bc81bac6dcb');
  });

  test('the distinct key depends on the set only', () => {
    expect(distinctKey(['b', 'a', 'a'])).toBe(distinctKey(['a', 'b']));
    expect(distinctKey(['a', 'b'])).not.toBe(distinctKey(['a', 'b', 'c']));
  });
});

describe('argument normalisation', () => {
  test('positional, named and absent args', () => {
    expect(readArgs({ args: ['c', 5] }, ['conversation_id', 'limit'])).toEqual({ conversation_id: 'c', limit: 5 });
    expect(readArgs({ args: { limit: 5 } }, ['conversation_id', 'limit'])).toEqual({ limit: 5 });
    expect(readArgs({ action: 'chat:total_unread' }, [])).toEqual({});
    expect(() => readArgs({ args: [1, 2, 3] }, ['a'])).toThrow(expect.objectContaining({ code: 108 }));
    expect(() => readArgs({ args: 'x' }, ['a'])).toThrow(expect.objectContaining({ code: 108 }));
  });

  test('ids in every shape clients send', () => {
    const record = new (skygear.Record.extend('user'))({ _id: 'user/u1' });
    expect(idOf('u1', 'user', 'x')).toBe('u1');
    expect(idOf('user/u1', 'user', 'x')).toBe('u1');
    expect(idOf(record, 'user', 'x')).toBe('u1');
    expect(idOf(new skygear.Reference('user/u1'), 'user', 'x')).toBe('u1');
    expect(idOf({ $type: 'ref', $id: 'user/u1' }, 'user', 'x')).toBe('u1');
    expect(idOf({ $type: 'record', $record: { _id: 'user/u1' } }, 'user', 'x')).toBe('u1');
    for (const bad of ['', 'message/u1', 'user/', 42, null, {}, 'a'.repeat(300)]) {
      expect(() => idOf(bad, 'user', 'participants')).toThrow(expect.objectContaining({ code: 108, info: { arguments: ['participants'] } }));
    }
    expect(idList({ ids: ['a', 'user/a', 'b'] }, 'ids', 'user')).toEqual(['a', 'b']);
    expect(idList({ ids: 'a' }, 'ids', 'user', { single: true })).toEqual(['a']);
    expect(() => idList({ ids: 'a' }, 'ids', 'user')).toThrow(expect.objectContaining({ code: 108 }));
  });

  test('dates: Date, $date, ISO strings with any precision or offset', () => {
    expect(dateOf(new Date('2020-01-02T03:04:05Z'), 'at').toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(dateOf({ $type: 'date', $date: '2020-01-02T03:04:05.123456Z' }, 'at').toISOString()).toBe('2020-01-02T03:04:05.123Z');
    expect(dateOf('2020-01-02T11:04:05+08:00', 'at').toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(dateOf('2020-01-02 03:04:05', 'at').toISOString()).toBe('2020-01-02T03:04:05.000Z');
    for (const bad of ['yesterday', '2020-13-45T00:00:00Z', 5, {}]) expect(() => dateOf(bad, 'at')).toThrow(expect.objectContaining({ code: 108 }));
    expect(optionalTimestamp({ t: '2020-01-02T03:04:05.123456' }, 't')).toBe('2020-01-02T03:04:05.123456Z');
  });

  test('integers are validated and capped', () => {
    const opts = { fallback: 50, min: 1, cap: 1000 };
    expect(optionalInteger({}, 'limit', opts)).toBe(50);
    expect(optionalInteger({ limit: 5000 }, 'limit', opts)).toBe(1000);
    expect(optionalInteger({ limit: '7' }, 'limit', opts)).toBe(7);
    for (const bad of [0, -1, 1.5, 'x', true]) expect(() => optionalInteger({ limit: bad }, 'limit', opts)).toThrow(expect.objectContaining({ code: 108 }));
  });
});
