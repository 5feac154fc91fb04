
/**
 * Authentication conformance (Part A §1.7–§1.8, Part B §3.2/§3.4): every action the running server
 * serves — listed from its own router, so a new built-in action or lambda cannot skip this — and
 * every plugin path handler, × key {none, wrong, client, master} × token {none, unknown, valid,
 * of a disabled user, issued before a password change}, against what Skygear 1.7 answers.
 *
 * The expected answer comes from SKYGEAR_CLASS below (the protocol's table, written out by hand,
 * not read from the server's own requirement), so a wrong requirement in the code fails a cell.
 * A cell Skygear lets through must get past authentication: any answer but an authentication
 * refusal (101/103/104/127, or 401/102 from the admin and master checks) and never a 5xx.
 */
import { randomUUID } from 'node:crypto';
import type { Requirement } from '../../src/server/core/actions';
import { rawRequest, type RawResponse } from '../support/http';
import type { TestServer } from '../support/server';
import { closeAllClients, signupClient } from '../support/client';
import { startChatServer } from '../plugin/support';

/**
 * Skygear 1.7's preprocessing classes (Part A §1.8):
 * none = nothing required (bad key/token ignored); K = a key, token ignored (accesskey stage);
 * KT = authenticator stage (key or token; anonymous allowed with a key) — "T?" in §1.8 and
 * key_required lambdas; T = a user (token, or master key as _god); A = admin role or master key;
 * M = master key; D = dev mode or master key.
 */
type SkygearClass = 'none' | 'K' | 'KT' | 'T' | 'A' | 'M' | 'D';

const SKYGEAR_CLASS: Record<string, SkygearClass> = {
  '_status:healthz': 'none',
  'auth:signup': 'K',
  'auth:login': 'K',
  'auth:logout': 'KT',
  'auth:password': 'T',
  me: 'T',
  'auth:disable:set': 'A',
  'asset:put': 'K',
  'record:fetch': 'KT',
  'record:query': 'KT',
  'record:save': 'T',
  'record:delete': 'T',
  'device:register': 'T',
  'device:unregister': 'T',
  'role:assign': 'A',
  'role:revoke': 'A',
  'role:default': 'D',
  'role:admin': 'D',
  // Deliberate (Part A §11.12, docs/architecture.md): Go's role:get is T? and crashes without a user.
  'role:get': 'T',
  // Deliberate (docs/architecture.md): Go lets the client key push; here pushes need the master key.
  'push:user': 'M',
  'push:device': 'M',
  'schema:fetch': 'D',
  'schema:create': 'D',
  'schema:rename': 'D',
  'schema:delete': 'D',
  'schema:access': 'D',
  'schema:default_access': 'D',
  'schema:field_access:get': 'A',
  'schema:field_access:update': 'A',
};

/**
 * Plugin lambdas and handlers: their registration flags decide (Part B §3.2 table): user_required
 * → T, key_required → KT, neither → none. A host rule that narrows a plugin entry further (e.g. a
 * master-key-only lambda) shows up as that entry's requirement and is checked as its class.
 */
const CLASS_OF_REQUIREMENT: Record<Requirement, SkygearClass> = {
  none: 'none',
  keyOrToken: 'KT',
  user: 'T',
  key: 'K',
  admin: 'A',
  master: 'M',
  dev: 'D',
};
const classOfFlags = (requires: Requirement): SkygearClass => CLASS_OF_REQUIREMENT[requires];

type KeyKind = 'none' | 'wrong' | 'client' | 'master';
type TokenKind = 'none' | 'unknown' | 'valid' | 'disabled' | 'stale';
const KEYS: KeyKind[] = ['none', 'wrong', 'client', 'master'];
const TOKENS: TokenKind[] = ['none', 'unknown', 'valid', 'disabled', 'stale'];

/** What Skygear answers at the authentication stage: a refusal, or 'pass' (the handler runs). */
type Expected = 'pass' | { status: number; code: number; message?: string };

const refuse = (status: number, code: number, message?: string): Expected => ({ status, code, message });

/** The oracle: Go's preprocessors in their order (key, then token, then the action's own check). */
function expectedAuth(cls: SkygearClass, key: KeyKind, token: TokenKind, devMode: boolean): Expected {
  if (cls === 'none') return 'pass';
  if (key === 'wrong') return refuse(401, 103, 'Cannot verify api key');
  if (cls === 'K' || cls === 'M' || cls === 'D') {
    // AccessKeyValidationPreprocessor: the token is never looked at.
    if (key === 'none') return refuse(401, 101, 'Api key is empty');
    if (cls === 'M' && key !== 'master') return refuse(401, 102);
    if (cls === 'D' && key !== 'master' && !devMode) return refuse(403, 102);
    return 'pass';
  }
  // UserAuthenticator, then InjectAuth (disabled users, tokens before the last password change).
  if (token === 'unknown' || token === 'stale') return refuse(401, 104);
  if (token === 'disabled') return refuse(403, 127);
  if (key === 'none' && token === 'none') return refuse(401, 101, 'Both api key and access token are empty');
  if (cls === 'KT') return 'pass';
  const hasUser = token === 'valid' || key === 'master';
  if (!hasUser) return refuse(401, 101);
  // The valid token belongs to a user without an admin role.
  if (cls === 'A' && key !== 'master') return refuse(401, 102);
  return 'pass';
}

/** Codes only the authentication stage gives; a handler that ran never answers them. */
const AUTH_CODES = new Set([101, 103, 104, 127]);

function describeAnswer(res: RawResponse): string {
  return `HTTP ${res.status} ${res.text.slice(0, 200)}`;
}

function check(res: RawResponse, expected: Expected): string | null {
  if (res.status >= 500) return `5xx: ${describeAnswer(res)}`;
  const error = res.json?.error;
  if (expected === 'pass') {
    if (error && (AUTH_CODES.has(error.code) || (error.code === 102 && res.status === 401))) {
      return `refused at authentication, Skygear lets it through: ${describeAnswer(res)}`;
    }
    return null;
  }
  if (!error || error.code !== expected.code || res.status !== expected.status) {
    return `expected ${expected.status}/${expected.code}, got ${describeAnswer(res)}`;
  }
  if (expected.message && !String(error.message).includes(expected.message)) {
    return `expected message "${expected.message}", got "${error.message}"`;
  }
  return null;
}

let server: TestServer;
const tokens: Record<Exclude<TokenKind, 'none' | 'unknown'>, string> = { valid: '', disabled: '', stale: '' };
const password = 'matrix-pw';
let validUsername = '';

async function login(username: string): Promise<string> {
  const res = await rawRequest(server, '/auth/login', { body: { api_key: server.config.apiKey, auth_data: { username }, password } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.text}`);
  return res.json.result.access_token;
}

beforeAll(async () => {
  server = await startChatServer({ loadModules: [require.resolve('../fixtures/modules/auth-flags')] });
  const names = ['valid', 'disabled', 'stale'].map((n) => `${n}_${randomUUID().slice(0, 8)}`);
  const clients = [];
  for (const name of names) clients.push(await signupClient(server, name, password));
  validUsername = names[0];
  tokens.valid = clients[0].auth.accessToken;
  tokens.disabled = clients[1].auth.accessToken;
  const disable = await rawRequest(server, '/auth/disable/set', {
    body: { api_key: server.config.masterKey, auth_id: clients[1].auth.currentUser._id, disabled: true },
  });
  expect(disable.status).toBe(200);
  // The stale token: issued before the same user's password change (which issues a new one).
  tokens.stale = clients[2].auth.accessToken;
  const changed = await rawRequest(server, '/auth/password', {
    body: { api_key: server.config.apiKey, access_token: await login(names[2]), old_password: password, password: 'new-pw' },
  });
  expect(changed.status).toBe(200);
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

function headersFor(key: KeyKind, token: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const value = { none: '', wrong: 'not-the-key', client: server.config.apiKey, master: server.config.masterKey }[key];
  if (value) headers['X-Skygear-API-Key'] = value;
  if (token) headers['X-Skygear-Access-Token'] = token;
  return headers;
}

/** A fresh token for the valid user when the action would revoke the shared one. */
async function tokenValue(kind: TokenKind, action: string): Promise<string> {
  if (kind === 'none') return '';
  if (kind === 'unknown') return randomUUID();
  if (kind === 'valid' && action === 'auth:logout') return login(validUsername);
  return tokens[kind];
}

interface Target {
  label: string;
  cls: SkygearClass;
  send(headers: Record<string, string>): Promise<RawResponse>;
}

function targets(): Target[] {
  const list: Target[] = [];
  for (const def of server.server.router.list()) {
    // A built-in action missing from the table fails here: add its Skygear class first.
    const cls = server.server.router.isBuiltin(def.name) ? SKYGEAR_CLASS[def.name] : classOfFlags(def.requires);
    if (!cls) throw new Error(`built-in action ${def.name} has no Skygear class in SKYGEAR_CLASS`);
    list.push({
      label: def.name,
      cls,
      send: (headers) => rawRequest(server, '/' + def.name.replace(/:/g, '/'), { body: { action: def.name }, headers }),
    });
  }
  for (const h of server.server.handlers.listHandlers()) {
    list.push({
      label: `${h.method} ${h.path}`,
      cls: classOfFlags(h.requires),
      send: (headers) => rawRequest(server, h.path, { method: h.method, headers }),
    });
  }
  return list;
}

it('answers every action × key × token as Skygear 1.7 does', async () => {
  const all = targets();
  // The router must list the chat lambdas and the fixture's three kinds of lambda and handler.
  const labels = all.map((t) => t.label);
  expect(labels).toEqual(expect.arrayContaining(['record:query', 'chat:get_messages', 'flags:none', 'flags:key', 'flags:user', 'GET /flags/user']));
  const failures: string[] = [];
  let cells = 0;
  for (const target of all) {
    for (const key of KEYS) {
      for (const token of TOKENS) {
        const res = await target.send(headersFor(key, await tokenValue(token, target.label)));
        const problem = check(res, expectedAuth(target.cls, key, token, server.config.devMode));
        cells++;
        if (problem) failures.push(`${target.label} [${target.cls}] key=${key} token=${token}: ${problem}`);
      }
    }
  }
  // The figure docs/reliability.md reports.
  process.stdout.write(`conformance matrix: ${all.length} actions and handlers, ${cells} cells\n`);
  expect(failures).toEqual([]);
  expect(cells).toBe(all.length * KEYS.length * TOKENS.length);
}, 240_000);

it('passes the caller on to a plugin lambda: anonymous with a key, the user with a token, _god for the master key', async () => {
  const who = async (action: string, key: KeyKind, token: TokenKind) =>
    (await rawRequest(server, '/' + action.replace(/:/g, '/'), { body: { action }, headers: headersFor(key, await tokenValue(token, action)) })).json;
  expect((await who('flags:key', 'client', 'none')).result).toEqual({ user_id: null });
  expect((await who('flags:key', 'none', 'valid')).result.user_id).toEqual(expect.any(String));
  expect((await who('flags:user', 'master', 'none')).result).toEqual({ user_id: '_god' });
  // A bad token is ignored (not refused) by a lambda that requires nothing.
  expect((await who('flags:none', 'none', 'unknown')).result).toEqual({ user_id: null });
});

it('refuses record:query and record:fetch to a stranger: wrong key, no credentials, unknown token', async () => {
  for (const action of ['record:query', 'record:fetch']) {
    const body = { action, record_type: 'user', ids: ['user/x'] };
    const path = '/' + action.replace(':', '/');
    const wrong = await rawRequest(server, path, { body, headers: headersFor('wrong', tokens.valid) });
    expect([wrong.status, wrong.json.error?.code]).toEqual([401, 103]);
    const nothing = await rawRequest(server, path, { body });
    expect([nothing.status, nothing.json.error?.code, nothing.json.error?.message]).toEqual([401, 101, 'Both api key and access token are empty']);
    const unknown = await rawRequest(server, path, { body, headers: headersFor('client', randomUUID()) });
    expect([unknown.status, unknown.json.error?.code]).toEqual([401, 104]);
    const anonymous = await rawRequest(server, path, { body, headers: headersFor('client', '') });
    expect(anonymous.status).toBe(200);
  }
});
