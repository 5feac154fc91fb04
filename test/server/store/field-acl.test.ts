import { FieldAcl, queryFieldUses, type FieldAccessEntry } from '../../../src/server/store/access/field-acl-rules';
import { SEED_FIELD_ACCESS } from '../../../src/server/store/access/field-acl-table';

const entry = (record_type: string, record_field: string, user_role: string, flags: Partial<FieldAccessEntry> = {}): FieldAccessEntry => ({
  record_type,
  record_field,
  user_role,
  writable: false,
  readable: false,
  comparable: false,
  discoverable: false,
  ...flags,
});
const ALL = { writable: true, readable: true, comparable: true, discoverable: true };

const alice = { userId: 'alice', roles: [] as string[] };
const bob = { userId: 'bob', roles: ['Editor'] };
const anonymous = { userId: null, roles: [] as string[] };
const aliceNote = { _id: 'note/1', _ownerID: 'alice', secret: 's', title: 't', reviewers: [{ $type: 'ref', $id: 'user/bob' }] };

describe('field ACL evaluation (Part A §5.6)', () => {
  it('allows a field no rule group covers, and denies when a group exists but no entry matches', () => {
    const acl = new FieldAcl([entry('note', 'secret', '_owner', ALL)]);
    expect(acl.allows('note', 'title', 'readable', bob, aliceNote)).toBe(true);
    expect(acl.allows('note', 'secret', 'readable', alice, aliceNote)).toBe(true);
    expect(acl.allows('note', 'secret', 'readable', bob, aliceNote)).toBe(false);
    expect(acl.allows('note', 'secret', 'readable', anonymous, aliceNote)).toBe(false);
    expect(acl.allows('memo', 'secret', 'readable', anonymous, null)).toBe(true); // a type no rule names
    expect(acl.covers('memo')).toBe(false);
    expect(new FieldAcl([entry('*', 'secret', '_owner')]).covers('memo')).toBe(true);
  });

  it('takes the first non-empty group: (type, field), (type, *), (*, field), (*, *)', () => {
    const acl = new FieldAcl([
      entry('*', '*', '_public', ALL),
      entry('*', 'secret', '_public', { readable: false }),
      entry('note', '*', '_public', { readable: true }),
      entry('note', 'title', '_public', { readable: false }),
    ]);
    expect(acl.allows('note', 'title', 'readable', bob, aliceNote)).toBe(false); // (note, title)
    expect(acl.allows('note', 'secret', 'readable', bob, aliceNote)).toBe(true); // (note, *) before (*, secret)
    expect(acl.allows('memo', 'secret', 'readable', bob, null)).toBe(false); // (*, secret)
    expect(acl.allows('memo', 'other', 'writable', bob, null)).toBe(true); // (*, *)
  });

  it('orders entries by role kind, not by how they were stored: the first matching kind decides', () => {
    const acl = new FieldAcl([
      entry('note', 'secret', '_public', ALL),
      entry('note', 'secret', '_any_user', { readable: false }),
      entry('note', 'secret', '_role:Editor', { readable: true }),
      entry('note', 'secret', '_field:reviewers', { readable: false, comparable: true }),
      entry('note', 'secret', '_user_id:carol', { readable: true }),
      entry('note', 'secret', '_owner', { readable: true, writable: true }),
    ]);
    expect(acl.allows('note', 'secret', 'writable', alice, aliceNote)).toBe(true); // _owner
    expect(acl.allows('note', 'secret', 'readable', bob, aliceNote)).toBe(false); // _field:reviewers (a ref to bob) before _role:Editor
    expect(acl.allows('note', 'secret', 'readable', { userId: 'dave', roles: ['Editor'] }, aliceNote)).toBe(true); // _role
    expect(acl.allows('note', 'secret', 'readable', { userId: 'carol', roles: [] }, aliceNote)).toBe(true); // _user_id
    expect(acl.allows('note', 'secret', 'readable', { userId: 'erin', roles: [] }, aliceNote)).toBe(false); // _any_user
    expect(acl.allows('note', 'secret', 'readable', anonymous, aliceNote)).toBe(true); // _public
  });

  it('never applies to fields starting with "_"; discoverable also admits a comparable field', () => {
    const acl = new FieldAcl([entry('*', '*', '_public', { comparable: true })]);
    expect(acl.allows('note', '_created_at', 'readable', anonymous, null)).toBe(true);
    expect(acl.allows('note', 'title', 'readable', anonymous, null)).toBe(false);
    expect(acl.allows('note', 'title', 'discoverable', anonymous, null)).toBe(true);
  });

  it('hides what the caller may not read, also in included records judged by their own type', () => {
    const acl = new FieldAcl(SEED_FIELD_ACCESS);
    const user = { _id: 'user/alice', _ownerID: 'alice', username: 'alice', email: 'a@x', name: 'Alice' };
    const note = { ...aliceNote, _transient: { author: user, readers: [user] } };
    expect(acl.filterRead(note, anonymous)).toEqual({
      ...aliceNote,
      _transient: { author: { _id: 'user/alice', _ownerID: 'alice', name: 'Alice' }, readers: [{ _id: 'user/alice', _ownerID: 'alice', name: 'Alice' }] },
    });
    expect(acl.filterRead(note, bob)).toBe(note); // any logged-in user reads username and email
    expect(acl.filterRead(user, alice)).toBe(user);
  });

  it('the fresh-install rules: owner writes username/email, other users read and find by them, anonymous callers neither', () => {
    const acl = new FieldAcl(SEED_FIELD_ACCESS);
    const user = { _id: 'user/alice', _ownerID: 'alice', username: 'alice' };
    expect(acl.allows('user', 'username', 'writable', alice, user)).toBe(true);
    expect(acl.allows('user', 'username', 'writable', bob, user)).toBe(false);
    expect(acl.allows('user', 'email', 'discoverable', bob, null)).toBe(true);
    expect(acl.allows('user', 'email', 'discoverable', anonymous, null)).toBe(false);
    expect(acl.allows('user', 'name', 'readable', anonymous, user)).toBe(true);
  });
});

describe('queryFieldUses', () => {
  const kp = (path: string) => ({ $type: 'keypath', $val: path });
  it('eq/in along an and-chain need discoverable; everything else, and sorts, comparable; includes readable', () => {
    const predicate = ['and', ['eq', kp('email'), 'a@x'], ['in', kp('tag'), ['a']], ['or', ['eq', kp('title'), 'x'], ['gt', kp('count'), 1]], ['not', ['eq', kp('flag'), true]]];
    expect(queryFieldUses(predicate, [[kp('rank'), 'asc']], { author: kp('author.name') })).toEqual([
      { field: 'email', mode: 'discoverable' },
      { field: 'tag', mode: 'discoverable' },
      { field: 'title', mode: 'comparable' },
      { field: 'count', mode: 'comparable' },
      { field: 'flag', mode: 'comparable' },
      { field: 'rank', mode: 'comparable' },
      { field: 'author', mode: 'readable' },
    ]);
  });

  it('a keypath inside a function call is compared', () => {
    expect(queryFieldUses(['lt', ['func', 'distance', kp('location'), { $type: 'geo' }], 500], undefined, undefined)).toEqual([{ field: 'location', mode: 'comparable' }]);
  });
});
