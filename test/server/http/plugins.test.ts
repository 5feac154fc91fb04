import path from 'node:path';
import { closeAllClients, newClient, signupClient } from '../../support/client';
import { callAction, rawRequest } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';
import type { LifecycleGates } from './fixtures/lifecycle-module';

const MODULE = path.join(__dirname, 'fixtures', 'lifecycle-module');

function hold(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

const setGates = (gates: LifecycleGates) => {
  (globalThis as { __lifecycleGates?: LifecycleGates }).__lifecycleGates = gates;
};

afterEach(() => {
  closeAllClients();
  setGates({});
});

describe('the plugin gate (Part B §2.6)', () => {
  it('answers 118 while plugins load, 121 while they initialise (master + _from_plugin passes), then serves', async () => {
    const init = hold();
    const beforeReady = hold();
    setGates({ init: init.promise, beforeReady: beforeReady.promise });
    const server = await startTestServer({ loadModules: [MODULE], waitForPlugins: false });
    try {
      const loading = await callAction(server, '_status:healthz');
      expect(loading.status).toBe(503);
      expect(loading.json.error).toEqual({ name: 'PluginUnavailable', code: 118, message: 'plugins are unavailable at the moment' });
      // Not gated: the empty action and /files.
      expect((await rawRequest(server, '/', { body: {} })).status).toBe(200);

      init.release();
      await waitFor(async () => (await callAction(server, '_status:healthz')).json.error?.code === 121);
      const initializing = await callAction(server, 'auth:signup', { auth_data: { username: 'u' }, password: 'p' }, { apiKey: server.config.apiKey });
      expect(initializing.status).toBe(503);
      expect(initializing.json.error).toEqual({ name: 'PluginInitializing', code: 121, message: 'Plugins are initializing at the moment' });
      const fromPlugin = await callAction(server, '_status:healthz', { _from_plugin: true }, { apiKey: server.config.masterKey });
      expect(fromPlugin.status).toBe(200);
      const clientKeyFromPlugin = await callAction(server, '_status:healthz', { _from_plugin: true }, { apiKey: server.config.apiKey });
      expect(clientKeyFromPlugin.json.error.code).toBe(121);

      beforeReady.release();
      await server.server.pluginsReady;
      expect((await callAction(server, '_status:healthz')).json).toEqual({ result: { status: 'OK' } });
    } finally {
      init.release();
      beforeReady.release();
      await server.close();
    }
  });
});

describe('lambdas and handlers from a module', () => {
  let server: TestServer;

  beforeAll(async () => {
    // Long enough for a sign-up (bcrypt) on a busy machine, short enough to test the timeout below.
    server = await startTestServer({ loadModules: [MODULE], env: { RESPONSE_TIMEOUT: '2' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('routes lambdas by URL path and by body action, through the skygear client', async () => {
    const client = await newClient(server);
    expect(await client.lambda('test:echo', { a: 1 })).toEqual({ args: { a: 1 } });
    const byBody = await rawRequest(server, '/', { body: { action: 'test:echo', api_key: server.config.apiKey, args: [1, 2] } });
    expect(byBody.json).toEqual({ result: { args: [1, 2] } });
  });

  it('fills the user for user_required lambdas: token user, master _user_id, or _god', async () => {
    const alice = await signupClient(server, 'lambda-alice');
    expect(await alice.lambda('test:who')).toEqual({ user: alice.auth.currentUser._id });
    const anonymous = await callAction(server, 'test:who', {}, { apiKey: server.config.apiKey });
    expect(anonymous.json.error.code).toBe(101);
    const god = await callAction(server, 'test:who', {}, { apiKey: server.config.masterKey });
    expect(god.json.result).toEqual({ user: '_god' });
    const asAlice = await callAction(server, 'test:who', { _user_id: alice.auth.currentUser._id }, { apiKey: server.config.masterKey });
    expect(asAlice.json.result).toEqual({ user: alice.auth.currentUser._id });
  });

  it('answers 503 / 122 when a handler exceeds RESPONSE_TIMEOUT', async () => {
    const res = await callAction(server, 'test:slow', { args: { ms: 6000 } }, { apiKey: server.config.apiKey });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ name: 'ResponseTimeout', code: 122 });
  });

  it('turns an unexpected exception into a 500 / 10000 envelope and keeps serving', async () => {
    const res = await callAction(server, 'test:crash', {}, { apiKey: server.config.apiKey });
    expect(res.status).toBe(500);
    expect(res.json.error).toMatchObject({ code: 10000, message: expect.stringContaining('kaboom') });
    expect((await callAction(server, '_status:healthz')).status).toBe(200);
  });

  it('serves plugin path handlers before action routing, with status, headers and query', async () => {
    const res = await rawRequest(server, '/static-test/hello?x=1', { method: 'GET', headers: { 'X-Custom': 'yes' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-test')).toBe('a, b');
    expect(res.headers.get('x-skygear-request-id')).toEqual(expect.any(String));
    expect(res.text).toBe('hello GET x=1 yes');
    // A method the handler did not register falls through to action routing.
    expect((await rawRequest(server, '/static-test/hello', { method: 'PUT', body: {} })).status).toBe(404);
  });

  it('authenticates handlers from headers or the query string only', async () => {
    const bob = await signupClient(server, 'handler-bob');
    const none = await rawRequest(server, '/static-test/user', { method: 'GET' });
    expect(none.status).toBe(401);
    const byQuery = await rawRequest(server, `/static-test/user?access_token=${bob.auth.accessToken}`, { method: 'GET' });
    expect(byQuery.text).toBe(`user=${bob.auth.currentUser._id}`);
    const byHeader = await rawRequest(server, '/static-test/user', { method: 'GET', headers: { 'X-Skygear-Access-Token': bob.auth.accessToken } });
    expect(byHeader.text).toBe(`user=${bob.auth.currentUser._id}`);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition not reached in time');
}
