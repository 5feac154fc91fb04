import { aclReadFilterSql, hasAccess, parseAcl, type AclSubject, type AclTarget } from '../../../src/server/store/access/record-acl';
import type { AclEntry } from '../../../src/server/store/codec/record-json';
import { SqlParams } from '../../../src/server/store/query/params';

const who = (userId: string | null, roles: string[] = [], master = false): AclSubject => ({ userId, roles, master });
const rec = (access: AclTarget['access'], ownerId = 'owner', databaseId = ''): AclTarget => ({ access, ownerId, databaseId });

describe('parseAcl', () => {
  it('accepts null/absent and well-formed entries', () => {
    expect(parseAcl(undefined)).toBeNull();
    expect(parseAcl(null)).toBeNull();
    expect(parseAcl([{ public: true, level: 'read' }, { role: 'r', level: 'write' }, { user_id: 'u', level: 'read' }])).toEqual([
      { public: true, level: 'read' },
      { role: 'r', level: 'write' },
      { user_id: 'u', level: 'read' },
    ]);
    expect(parseAcl([{ relation: '$direct', user_id: 'u', level: 'write' }])).toEqual([{ relation: '$direct', user_id: 'u', level: 'write' }]);
  });

  it.each([
    ['not an array', { public: true }],
    ['a bad level', [{ public: true, level: 'admin' }]],
    ['a missing level', [{ public: true }]],
    ['no subject', [{ level: 'read' }]],
    ['two subjects', [{ role: 'a', user_id: 'b', level: 'read' }]],
    ['a non-object entry', ['x']],
  ])('rejects %s with 108', (_why, raw) => {
    expect(() => parseAcl(raw)).toThrow(expect.objectContaining({ code: 108 }));
  });
});

describe('hasAccess (§5.2)', () => {
  it('lets the master key do anything, even in other private databases', () => {
    expect(hasAccess(rec([], 'x', 'someone'), who(null, [], true), 'write')).toBe(true);
  });

  it('treats a NULL ACL as public read and write', () => {
    expect(hasAccess(rec(null), who(null), 'write')).toBe(true);
  });

  it('denies records in another user’s private database unless the ACL is NULL', () => {
    expect(hasAccess(rec([{ public: true, level: 'write' }], 'alice', 'alice'), who('bob'), 'read')).toBe(false);
    expect(hasAccess(rec([], 'alice', 'alice'), who('alice'), 'write')).toBe(true);
  });

  it('always allows the owner, even with an empty ACL', () => {
    expect(hasAccess(rec([], 'alice'), who('alice'), 'write')).toBe(true);
    expect(hasAccess(rec([], 'alice'), who('bob'), 'read')).toBe(false);
  });

  it('grants by public, user and role entries; write needs a write entry', () => {
    const acl: AclEntry[] = [
      { public: true, level: 'read' },
      { user_id: 'bob', level: 'write' },
      { role: 'editor', level: 'write' },
      { role: 'viewer', level: 'read' },
    ];
    expect(hasAccess(rec(acl), who(null), 'read')).toBe(true);
    expect(hasAccess(rec(acl), who(null), 'write')).toBe(false);
    expect(hasAccess(rec(acl), who('carol'), 'write')).toBe(false);
    expect(hasAccess(rec(acl), who('bob'), 'write')).toBe(true);
    expect(hasAccess(rec(acl), who('dave', ['editor']), 'write')).toBe(true);
    expect(hasAccess(rec(acl), who('dave', ['viewer']), 'write')).toBe(false);
  });

  it('lets anonymous callers match only public entries', () => {
    expect(hasAccess(rec([{ role: 'x', level: 'read' }]), who(null, ['x']), 'read')).toBe(false);
  });

  it('never grants by pure relation entries, but $direct ones act as user entries', () => {
    expect(hasAccess(rec([{ relation: 'friend', level: 'write' }]), who('bob'), 'read')).toBe(false);
    expect(hasAccess(rec([{ relation: '$direct', user_id: 'bob', level: 'write' }]), who('bob'), 'write')).toBe(true);
  });
});

describe('aclReadFilterSql', () => {
  it('is absent for the master key', () => {
    expect(aclReadFilterSql('t', who(null, [], true), new SqlParams())).toBeNull();
  });

  it('lets anonymous callers see NULL and public rows only', () => {
    const p = new SqlParams();
    expect(aclReadFilterSql('t', who(null), p)).toBe(`(t."_access" IS NULL OR t."_access" @> $1::jsonb)`);
    expect(p.values).toEqual(['[{"public":true}]']);
  });

  it('adds owner, user entry and one term per role for users', () => {
    const p = new SqlParams();
    const sql = aclReadFilterSql('t', who('bob', ['a', 'b']), p);
    expect(sql).toContain(`t."_owner_id" = $2`);
    expect(p.values).toEqual(['[{"public":true}]', 'bob', '[{"user_id":"bob"}]', '[{"role":"a"}]', '[{"role":"b"}]']);
  });
});
