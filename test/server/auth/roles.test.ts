import { closeAllClients, newClient, signupClient } from '../../support/client';
import { rejectionOf } from '../../support/errors';
import { callAction } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => closeAllClients());
afterAll(async () => {
  await server?.close();
});

const roleNames = (roles: Array<{ name: string }>) => roles.map((r) => r.name).sort();

describe('role:assign / role:revoke / role:get', () => {
  it('lets the master key assign and revoke roles, creating missing roles, skipping unknown users', async () => {
    const alice = await signupClient(server, 'r-alice');
    const bob = await signupClient(server, 'r-bob');
    const [aliceId, bobId] = [alice.auth.currentUser._id, bob.auth.currentUser._id];
    const master = await newClient(server, { apiKey: server.config.masterKey });

    await master.auth.assignUserRole([aliceId, bobId, 'no-such-user'], ['editor', 'reviewer']);
    await master.auth.assignUserRole([aliceId], ['editor']); // duplicates are ignored
    let roles = await master.auth.fetchUserRole([aliceId, bobId, 'no-such-user']);
    expect(roleNames(roles[aliceId])).toEqual(['editor', 'reviewer']);
    expect(roleNames(roles[bobId])).toEqual(['editor', 'reviewer']);
    expect(roles['no-such-user']).toEqual([]);

    await master.auth.revokeUserRole([bobId], ['editor']);
    roles = await master.auth.fetchUserRole([bobId]);
    expect(roleNames(roles[bobId])).toEqual(['reviewer']);

    const { rows } = await server.db.query(`SELECT id FROM "${server.schema}"._role WHERE id IN ('editor', 'reviewer') ORDER BY id`);
    expect(rows).toEqual([{ id: 'editor' }, { id: 'reviewer' }]);
  });

  it('lets a user with an admin role assign roles; a plain user gets 401 / 102', async () => {
    const admin = await signupClient(server, 'r-admin');
    const plain = await signupClient(server, 'r-plain');
    const master = await newClient(server, { apiKey: server.config.masterKey });
    await master.auth.assignUserRole([admin.auth.currentUser._id], ['Admin']);

    await admin.auth.assignUserRole([plain.auth.currentUser._id], ['writer']);
    const denied = await rejectionOf(plain.auth.assignUserRole([plain.auth.currentUser._id], ['Admin']));
    expect(denied.status).toBe(401);
    expect(denied.error).toMatchObject({ code: 102, name: 'PermissionDenied' });
  });

  it('lets any user read their own roles but not other users’ (403 / 102)', async () => {
    const carol = await signupClient(server, 'r-carol');
    const dave = await signupClient(server, 'r-dave');
    const own = await carol.auth.fetchUserRole([carol.auth.currentUser._id]);
    expect(own[carol.auth.currentUser._id]).toEqual([]);
    const err = await rejectionOf(carol.auth.fetchUserRole([dave.auth.currentUser._id]));
    expect(err.status).toBe(403);
    expect(err.error.code).toBe(102);
  });

  it('validates its arguments with 108', async () => {
    const master = { apiKey: server.config.masterKey };
    const noUsers = await callAction(server, 'role:assign', { roles: ['x'] }, master);
    expect(noUsers.json.error).toMatchObject({ code: 108, info: { arguments: ['users'] } });
    const noRoles = await callAction(server, 'role:revoke', { users: ['x'] }, master);
    expect(noRoles.json.error).toMatchObject({ code: 108, info: { arguments: ['roles'] } });
    const emptyGet = await callAction(server, 'role:get', { users: [] }, master);
    expect(emptyGet.json.error).toMatchObject({ code: 108 });
  });

  it('reads roles fresh on every request (no caching in the token)', async () => {
    const erin = await signupClient(server, 'r-erin');
    const id = erin.auth.currentUser._id;
    const other = await signupClient(server, 'r-other');
    const otherId = other.auth.currentUser._id;
    await expect(erin.auth.fetchUserRole([otherId])).rejects.toMatchObject({ error: { code: 102 } });
    await server.db.query(`INSERT INTO "${server.schema}"._auth_role (auth_id, role_id) VALUES ($1, 'Admin')`, [id]);
    const roles = await erin.auth.fetchUserRole([otherId]);
    expect(roles[otherId]).toEqual([]);
  });
});

describe('role:default / role:admin', () => {
  it('gives default roles to new signups, and admin roles admin powers', async () => {
    const master = await newClient(server, { apiKey: server.config.masterKey });
    const Role = master.Role;
    await master.auth.setDefaultRole([new Role('member')]);
    await master.auth.setAdminRole([new Role('Admin'), new Role('staff')]);

    const frank = await signupClient(server, 'r-frank');
    const res = await callAction(server, 'me', {}, { apiKey: server.config.apiKey, accessToken: frank.auth.accessToken });
    expect(res.json.result.roles).toEqual(['member']);

    const { rows } = await server.db.query(
      `SELECT id, by_default, is_admin FROM "${server.schema}"._role WHERE id IN ('Admin', 'member', 'staff') ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'Admin', by_default: false, is_admin: true },
      { id: 'member', by_default: true, is_admin: false },
      { id: 'staff', by_default: false, is_admin: true },
    ]);

    // An empty list clears the flag everywhere.
    const cleared = await callAction(server, 'role:default', { roles: [] }, { apiKey: server.config.masterKey });
    expect(cleared.json.result).toEqual([]);
    const after = await server.db.query(`SELECT count(*)::int AS n FROM "${server.schema}"._role WHERE by_default`);
    expect(after.rows[0].n).toBe(0);
  });

  it('is open to the API key in dev mode only', async () => {
    const res = await callAction(server, 'role:admin', { roles: ['Admin'] }, { apiKey: server.config.apiKey });
    expect(res.status).toBe(200);
    const prod = await startTestServer({ env: { DEV_MODE: 'false' } });
    try {
      const denied = await callAction(prod, 'role:admin', { roles: ['Admin'] }, { apiKey: prod.config.apiKey });
      expect(denied.status).toBe(403);
      expect(denied.json.error.code).toBe(102);
      const master = await callAction(prod, 'role:admin', { roles: ['Admin'] }, { apiKey: prod.config.masterKey });
      expect(master.json.result).toEqual(['Admin']);
    } finally {
      await prod.close();
    }
  });
});
