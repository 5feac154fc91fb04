import { callAction, rawRequest } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';
import { closeAllClients, signupClient } from '../../support/client';

let server: TestServer;
let key: string;

beforeAll(async () => {
  server = await startTestServer();
  key = server.config.apiKey;
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

describe('envelope and action resolution', () => {
  it('answers POST / without an action with {"result":{"status":"OK"}}', async () => {
    const res = await rawRequest(server, '/', { body: {} });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: { status: 'OK' } });
  });

  it('resolves the action from the URL path, then from the body, and accepts any method', async () => {
    const byPath = await rawRequest(server, '/_status/healthz', { method: 'GET' });
    expect(byPath.json).toEqual({ result: { status: 'OK' } });
    const byBody = await rawRequest(server, '/', { body: { action: '_status:healthz' } });
    expect(byBody.json).toEqual({ result: { status: 'OK' } });
    // An endpoint with a path prefix still works through the body fallback.
    const prefixed = await rawRequest(server, '/api/', { method: 'PUT', body: { action: '_status:healthz' } });
    expect(prefixed.json).toEqual({ result: { status: 'OK' } });
  });

  it('answers an unknown action with 404 / 117 "route unmatched"', async () => {
    for (const res of [
      await rawRequest(server, '/no/such/action', { body: {} }),
      await rawRequest(server, '/', { body: { action: 'no:such' } }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { name: 'UndefinedOperation', code: 117, message: 'route unmatched' } });
    }
  });

  it('answers malformed JSON and non-object bodies with 400 / 107 BadRequest', async () => {
    for (const body of ['{"action": "me"', '[1,2]', '"text"', 'null', '42']) {
      const res = await rawRequest(server, '/me', { body });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ name: 'BadRequest', code: 107 });
    }
  });

  it('sets X-Skygear-Request-Id (a fresh UUID per request) and Server on every response', async () => {
    const a = await rawRequest(server, '/', { body: {} });
    const b = await rawRequest(server, '/nope', { body: {} });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(a.headers.get('x-skygear-request-id')).toMatch(uuid);
    expect(b.headers.get('x-skygear-request-id')).toMatch(uuid);
    expect(a.headers.get('x-skygear-request-id')).not.toBe(b.headers.get('x-skygear-request-id'));
    expect(a.headers.get('server')).toMatch(/^Skygear Server\//);
    expect(a.headers.get('content-type')).toBe('application/json');
  });

  it('answers _status:healthz', async () => {
    const res = await callAction(server, '_status:healthz');
    expect(res.json).toEqual({ result: { status: 'OK' } });
  });
});

describe('CORS', () => {
  it('answers OPTIONS on any path with 200 and an empty body, echoing the requested method and headers', async () => {
    const res = await rawRequest(server, '/record/save', {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-skygear-api-key,content-type',
      },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('x-skygear-api-key,content-type');
  });

  it('adds the CORS headers to ordinary responses, errors included', async () => {
    const res = await rawRequest(server, '/nope', { body: {} });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('keys and tokens', () => {
  it('rejects a wrong API key with 401 / 103, from the header or the body', async () => {
    const header = await callAction(server, 'auth:login', { auth_data: { username: 'x' }, password: 'y' }, { apiKey: 'wrong' });
    expect(header.status).toBe(401);
    expect(header.json.error).toEqual({ name: 'AccessKeyNotAccepted', code: 103, message: 'Cannot verify api key: `wrong`' });
    const body = await rawRequest(server, '/me', { body: { api_key: 'wrong' } });
    expect(body.status).toBe(401);
    expect(body.json.error.code).toBe(103);
  });

  it('lets a non-empty header win over the body, with header names in any case', async () => {
    const res = await rawRequest(server, '/auth/login', {
      body: { api_key: 'wrong', auth_data: { username: 'nobody' }, password: 'x' },
      headers: { 'x-SKYGEAR-api-KEY': key },
    });
    expect(res.json.error.code).toBe(110); // got past the key check
  });

  it('treats access_token: null as no token', async () => {
    const res = await rawRequest(server, '/auth/logout', { body: { api_key: key, access_token: null } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ result: { status: 'OK' } });
  });

  it('serves token-only requests (no key) for user actions, but key-only actions need the key', async () => {
    const client = await signupClient(server, 'token-only');
    const token = client.auth.accessToken;
    const me = await rawRequest(server, '/me', { body: { access_token: token } });
    expect(me.status).toBe(200);
    expect(me.json.result.user_id).toBe(client.auth.currentUser._id);

    const assetPut = await rawRequest(server, '/asset/put', {
      body: { access_token: token, filename: 'a.txt', 'content-type': 'text/plain', 'content-size': 1 },
    });
    expect(assetPut.status).toBe(401);
    expect(assetPut.json.error).toMatchObject({ code: 101, message: 'Api key is empty' });
  });

  it('answers 101 when a user action gets neither key nor token, and logout gets nothing at all', async () => {
    const me = await rawRequest(server, '/me', { body: {} });
    expect(me.status).toBe(401);
    expect(me.json.error.code).toBe(101);
    const logout = await rawRequest(server, '/auth/logout', { body: {} });
    expect(logout.json.error).toMatchObject({ code: 101, message: 'Both api key and access token are empty' });
  });

  it('acts as _user_id with the master key, and as _god (auto-created) without one', async () => {
    const client = await signupClient(server, 'impersonated');
    const id = client.auth.currentUser._id;
    const asUser = await rawRequest(server, '/me', { body: { api_key: server.config.masterKey, _user_id: id } });
    expect(asUser.json.result.user_id).toBe(id);

    const asGod = await rawRequest(server, '/me', { body: { api_key: server.config.masterKey } });
    expect(asGod.json.result.user_id).toBe('_god');
    const { rows } = await server.db.query(`SELECT id FROM "${server.schema}"._auth WHERE id = '_god'`);
    expect(rows).toHaveLength(1);

    // _user_id means nothing with the client key.
    const clientKey = await rawRequest(server, '/me', { body: { api_key: key, _user_id: id } });
    expect(clientKey.json.error.code).toBe(101);
  });
});
