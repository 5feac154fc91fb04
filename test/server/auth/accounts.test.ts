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

const sql = async (text: string, params: unknown[] = []) => (await server.db.query(text, params)).rows;

describe('signup', () => {
  it('creates the _auth row, the user record owned by the user and a stored token', async () => {
    const client = await signupClient(server, 'alice', 'alice-pw');
    const user = client.auth.currentUser;
    expect(user.username).toBe('alice');
    expect(client.auth.accessToken).toMatch(/^[0-9a-f-]{36}$/);

    const [auth] = await sql(`SELECT password, token_valid_since FROM "${server.schema}"._auth WHERE id = $1`, [user._id]);
    expect(auth.password).toMatch(/^\$2[aby]\$10\$/);
    expect(auth.token_valid_since).toBeInstanceOf(Date);
    const [row] = await sql(`SELECT _owner_id, _created_by, _database_id, username FROM "${server.schema}"."user" WHERE _id = $1`, [user._id]);
    expect(row).toEqual({ _owner_id: user._id, _created_by: user._id, _database_id: '', username: 'alice' });
    const tokens = await sql(`SELECT auth_id FROM "${server.schema}"._access_token WHERE token = $1`, [client.auth.accessToken]);
    expect(tokens).toEqual([{ auth_id: user._id }]);
  });

  it('returns the §3.1 response object: user_id, profile record, token; no previous timestamps', async () => {
    const res = await callAction(server, 'auth:signup', { auth_data: { email: 'Bob@Example.com' }, password: 'pw' }, { apiKey: server.config.apiKey });
    expect(res.status).toBe(200);
    const result = res.json.result;
    expect(result.user_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.access_token).toEqual(expect.any(String));
    expect(result.profile).toMatchObject({
      _id: `user/${result.user_id}`,
      _type: 'record',
      _ownerID: result.user_id,
      _created_by: result.user_id,
      email: 'Bob@Example.com',
    });
    expect(result.profile._created_at).toEqual(expect.any(String));
    expect(result.last_login_at).toBeUndefined();
    expect(result.last_seen_at).toBeUndefined();
    expect(result.roles).toBeUndefined();
  });

  it('signs up anonymously (no auth data, no password)', async () => {
    const client = await newClient(server);
    const user = await client.auth.signupAnonymously();
    expect(user._id).toEqual(expect.any(String));
    const [auth] = await sql(`SELECT password FROM "${server.schema}"._auth WHERE id = $1`, [user._id]);
    expect(auth.password).toBeNull();
  });

  it('rejects a taken username or email case-insensitively with 109 "user duplicated", leaving nothing behind', async () => {
    await signupClient(server, 'carol');
    const before = await sql(`SELECT count(*)::int AS n FROM "${server.schema}"._auth`);
    const client = await newClient(server);
    const err = await rejectionOf(client.auth.signupWithUsername('CAROL', 'pw'));
    expect(err.status).toBe(409);
    expect(err.error).toMatchObject({ code: 109, name: 'Duplicated', message: 'user duplicated' });
    const after = await sql(`SELECT count(*)::int AS n FROM "${server.schema}"._auth`);
    expect(after).toEqual(before);
  });

  it('validates auth data and password with 108', async () => {
    const key = { apiKey: server.config.apiKey };
    const noPassword = await callAction(server, 'auth:signup', { auth_data: { username: 'dave' }, password: '' }, key);
    expect(noPassword.status).toBe(400);
    expect(noPassword.json.error).toMatchObject({ code: 108, message: 'empty password', info: { arguments: ['password'] } });

    const unknownKey = await callAction(server, 'auth:signup', { auth_data: { phone: '123' }, password: 'pw' }, key);
    expect(unknownKey.json.error).toMatchObject({ code: 108, message: 'invalid auth data', info: { arguments: ['auth_data'] } });

    const both = await callAction(server, 'auth:signup', { auth_data: { username: 'dave' }, password: 'pw', profile: { username: 'x' } }, key);
    expect(both.json.error).toMatchObject({ code: 108, message: 'duplicated keys found in auth data in profile' });
  });

  it('needs an API key and ignores a stale token', async () => {
    const none = await callAction(server, 'auth:signup', { auth_data: { username: 'erin' }, password: 'pw' });
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ code: 101, message: 'Api key is empty' }); // Go's AccessKeyValidationPreprocessor
    const stale = await callAction(
      server,
      'auth:signup',
      { auth_data: { username: 'erin' }, password: 'pw' },
      { apiKey: server.config.apiKey, accessToken: 'not-a-token' },
    );
    expect(stale.status).toBe(200);
  });
});

describe('login', () => {
  it('logs in by username or email, case-insensitively, with a new token and the previous timestamps', async () => {
    const first = await newClient(server);
    await first.auth.signupWithEmail('Frank@Example.com', 'frank-pw');
    const id = first.auth.currentUser._id;

    const second = await newClient(server);
    const user = await second.auth.loginWithEmail('frank@example.COM', 'frank-pw');
    expect(user._id).toBe(id);
    expect(second.auth.accessToken).not.toBe(first.auth.accessToken);

    // The signup set last_login_at / last_seen_at; the login response reports those previous values.
    const res = await callAction(server, 'auth:login', { auth_data: { email: 'FRANK@example.com' }, password: 'frank-pw' }, { apiKey: server.config.apiKey });
    expect(res.json.result.last_login_at).toEqual(expect.any(String));
    expect(res.json.result.last_seen_at).toEqual(expect.any(String));
    expect(res.json.result.profile.last_login_at).toEqual({ $type: 'date', $date: expect.any(String) });
  });

  it('answers 110 for an unknown user and 105 for a wrong password', async () => {
    await signupClient(server, 'grace', 'grace-pw');
    const client = await newClient(server);
    const unknown = await rejectionOf(client.auth.loginWithUsername('nobody', 'x'));
    expect(unknown.status).toBe(404);
    expect(unknown.error).toMatchObject({ code: 110, message: 'user not found' });
    const wrong = await rejectionOf(client.auth.loginWithUsername('grace', 'nope'));
    expect(wrong.status).toBe(401);
    expect(wrong.error).toMatchObject({ code: 105, message: 'auth_data or password incorrect' });
    expect(client.auth.currentUser).toBeNull();
  });

  it('refuses an anonymous user (no password) as 105', async () => {
    const anon = await newClient(server);
    const user = await anon.auth.signupAnonymously();
    // Anonymous users have no auth data, so the only way to name one is through SQL-set fields.
    await server.db.query(`UPDATE "${server.schema}"."user" SET username = 'anon-1' WHERE _id = $1`, [user._id]);
    const client = await newClient(server);
    const err = await rejectionOf(client.auth.loginWithUsername('anon-1', ''));
    expect(err.error.code).toBe(105);
  });
});

describe('me, logout, password', () => {
  it('whoami returns the current user and a fresh token', async () => {
    const client = await signupClient(server, 'heidi');
    const token = client.auth.accessToken;
    const me = await client.auth.whoami();
    expect(me.username).toBe('heidi');
    expect(client.auth.accessToken).not.toBe(token);
    // The old token keeps working: `me` does not revoke it.
    const res = await callAction(server, 'me', {}, { apiKey: server.config.apiKey, accessToken: token });
    expect(res.status).toBe(200);
  });

  it('me creates the user record if it is missing', async () => {
    const client = await signupClient(server, 'ivan');
    const id = client.auth.currentUser._id;
    await server.db.query(`DELETE FROM "${server.schema}"."user" WHERE _id = $1`, [id]);
    const res = await callAction(server, 'me', {}, { apiKey: server.config.apiKey, accessToken: client.auth.accessToken });
    expect(res.json.result.profile).toMatchObject({ _id: `user/${id}`, _ownerID: id });
    expect(await sql(`SELECT _id FROM "${server.schema}"."user" WHERE _id = $1`, [id])).toHaveLength(1);
  });

  it('me needs a user: 101 without a token, 104 with an unknown one', async () => {
    const none = await callAction(server, 'me', {}, { apiKey: server.config.apiKey });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe(101);
    const bad = await callAction(server, 'me', {}, { apiKey: server.config.apiKey, accessToken: 'bogus' });
    expect(bad.status).toBe(401);
    expect(bad.json.error).toMatchObject({ code: 104, message: 'token does not exist or it has expired' });
  });

  it('logout deletes the presented token; the client forgets its user', async () => {
    const client = await signupClient(server, 'judy');
    const token = client.auth.accessToken;
    await client.auth.logout();
    expect(client.auth.currentUser).toBeNull();
    expect(await sql(`SELECT token FROM "${server.schema}"._access_token WHERE token = $1`, [token])).toEqual([]);
    const res = await callAction(server, 'me', {}, { apiKey: server.config.apiKey, accessToken: token });
    expect(res.json.error.code).toBe(104);
  });

  it('changing the password invalidates older tokens and keeps the new one working', async () => {
    const client = await signupClient(server, 'ken', 'old-pw');
    const other = await newClient(server);
    await other.auth.loginWithUsername('ken', 'old-pw');
    const oldToken = other.auth.accessToken;

    await client.auth.changePassword('old-pw', 'new-pw');
    const newToken = client.auth.accessToken;
    expect(newToken).not.toBe(oldToken);

    const rejected = await rejectionOf(other.auth.whoami());
    expect(rejected.error.code).toBe(104);
    expect(other.auth.accessToken).toBeNull(); // the client logs itself out on 104
    expect((await client.auth.whoami()).username).toBe('ken');

    const fresh = await newClient(server);
    await expect(fresh.auth.loginWithUsername('ken', 'old-pw')).rejects.toMatchObject({ error: { code: 105 } });
    await fresh.auth.loginWithUsername('ken', 'new-pw');
    expect(fresh.auth.currentUser.username).toBe('ken');
  });

  it('auth:password checks the old password (105) and refuses empty ones (108)', async () => {
    const client = await signupClient(server, 'leo', 'leo-pw');
    const wrong = await rejectionOf(client.auth.changePassword('nope', 'x'));
    expect(wrong.error).toMatchObject({ code: 105, message: 'Incorrect old password' });
    const empty = await rejectionOf(client.auth.changePassword('leo-pw', ''));
    expect(empty.error).toMatchObject({ code: 108, info: { arguments: ['password'] } });
  });
});

describe('several users at once', () => {
  it('keeps each container’s user and token apart', async () => {
    const names = ['mia', 'ned', 'olga', 'pete'];
    const clients = await Promise.all(names.map((n) => signupClient(server, n)));
    const whoami = await Promise.all(clients.map((c) => c.auth.whoami()));
    expect(whoami.map((u: { username: string }) => u.username)).toEqual(names);
    expect(new Set(clients.map((c) => c.auth.accessToken)).size).toBe(names.length);
    await clients[0].auth.logout();
    expect((await clients[1].auth.whoami()).username).toBe('ned');
  });
});

describe('signup profiles', () => {
  it('merges the profile into the user record, with $type values and new columns', async () => {
    const client = await newClient(server);
    const birthday = new Date('1990-01-02T03:04:05.000Z');
    const user = await client.auth.signupWithUsername('pat', 'pat-pw', { nickname: 'Pat', birthday, score: 3 });
    expect(user.nickname).toBe('Pat');
    expect(user.birthday).toEqual(birthday);
    const [row] = await sql(`SELECT username, nickname, birthday, score FROM "${server.schema}"."user" WHERE _id = $1`, [user._id]);
    expect(row).toEqual({ username: 'pat', nickname: 'Pat', birthday, score: 3 });

    const again = await newClient(server);
    const loggedIn = await again.auth.loginWithUsername('pat', 'pat-pw');
    expect(loggedIn.nickname).toBe('Pat');
  });

  it('writes nothing when a profile field cannot be saved', async () => {
    const before = await sql(`SELECT count(*)::int AS n FROM "${server.schema}"._auth`);
    const res = await callAction(
      server,
      'auth:signup',
      { auth_data: { username: 'quinn' }, password: 'pw', profile: { when: { $type: 'date', $date: 'not a date' } } },
      { apiKey: server.config.apiKey },
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await sql(`SELECT count(*)::int AS n FROM "${server.schema}"._auth`)).toEqual(before);
    expect(await sql(`SELECT _id FROM "${server.schema}"."user" WHERE username = 'quinn'`)).toEqual([]);
  });
});

describe('auth:disable:set', () => {
  it('disables a user (127 on login and on token requests, with message and expiry) and enables them again', async () => {
    const rita = await signupClient(server, 'rita', 'rita-pw');
    const id = rita.auth.currentUser._id;
    const admin = await newClient(server, { apiKey: server.config.masterKey });
    const expiry = new Date(Date.now() + 3600_000);
    await admin.auth.adminDisableUser(id, 'spamming', expiry);

    const login = await rejectionOf((await newClient(server)).auth.loginWithUsername('rita', 'rita-pw'));
    expect(login.status).toBe(403);
    expect(login.error).toMatchObject({ code: 127, name: 'UserDisabled', info: { message: 'spamming', expiry: expiry.toISOString() } });
    const me = await rejectionOf(rita.auth.whoami());
    expect(me.error.code).toBe(127);

    await admin.auth.adminEnableUser(id);
    expect((await rita.auth.whoami()).username).toBe('rita');
  });

  it('lets a disable with an expiry in the past lapse, and needs an admin', async () => {
    const sam = await signupClient(server, 'sam', 'sam-pw');
    const id = sam.auth.currentUser._id;
    const master = { apiKey: server.config.masterKey };
    await callAction(server, 'auth:disable:set', { auth_id: id, disabled: true, expiry: new Date(Date.now() - 1000).toISOString() }, master);
    expect((await sam.auth.whoami()).username).toBe('sam');

    const denied = await rejectionOf(sam.auth.adminDisableUser(id, 'self'));
    expect(denied.status).toBe(401);
    expect(denied.error.code).toBe(102);
    const unknown = await callAction(server, 'auth:disable:set', { auth_id: 'nobody', disabled: true }, master);
    expect(unknown.json.error.code).toBe(110);
  });
});
