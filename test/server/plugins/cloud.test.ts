import type { ConnectCallback, PoolClientLike } from '../../../src/server/plugins/in-process/pool';
import { PluginRegistrationError } from '../../../src/server/plugins/plugin-errors';
import { testDatabaseUrl } from '../../support/database';
import { anonymous, clientUser, openSharedDb, startHost, type HostFixture, type SharedDb } from './support';

/** The `skygearCloud` facade in-process modules receive, on a host that is not started unless a test says so. */
describe(`skygearCloud facade on ${testDatabaseUrl()}`, () => {
  let shared: SharedDb;
  let fx: HostFixture;

  beforeAll(async () => {
    shared = await openSharedDb();
  });

  afterAll(async () => {
    await shared?.close();
  });

  beforeEach(async () => {
    fx = await startHost({}, { start: false, shared });
    await fx.db.query('DROP TABLE IF EXISTS facade_t');
    await fx.db.query('CREATE TABLE facade_t (v text)');
  });

  afterEach(async () => {
    await fx?.close();
  });

  const rows = async (): Promise<string[]> => (await fx.db.query<{ v: string }>('SELECT v FROM facade_t ORDER BY v')).rows.map((r) => r.v);

  it('offers every name require("skygear/cloud") exports', () => {

    const real = require('skygear/cloud') as Record<string, unknown>;
    const expected = Object.keys(real).filter((k) => k !== 'configModule' && k !== '__esModule');
    expect(expected.length).toBeGreaterThan(20);
    for (const name of expected) expect(fx.host.skygearCloud).toHaveProperty(name);
    expect(typeof fx.host.skygearCloud.SkygearRequest).toBe('function');
    expect(fx.host.skygearCloud.SkygearError).toBe(real.SkygearError);
    expect(fx.host.skygearCloud.ErrorCodes).toBe(real.ErrorCodes);
    expect(fx.host.skygearCloud.CloudCodeContainer).toBe(real.CloudCodeContainer);
  });

  it('has skygear-node settings keys with the host values', () => {

    const realSettings = (require('skygear-core/dist/cloud/settings') as { settings: Record<string, unknown> }).settings;
    const settings = fx.host.skygearCloud.settings as unknown as Record<string, unknown>;
    for (const key of Object.keys(realSettings)) expect(settings).toHaveProperty(key);
    expect(settings.appName).toBe(fx.config.appName);
    expect(settings.masterKey).toBe(fx.config.masterKey);
    expect(settings.skygearEndpoint).toBe('http://127.0.0.1:1');
    expect(settings.databaseURL).toBe(testDatabaseUrl());
    expect((fx.host.skygearCloud.skyconfig as { app: { name: string } }).app.name).toBe(fx.config.appName);
  });

  it('builds containers that call back with the master key, as the given user', () => {
    const container = fx.host.skygearCloud.getContainer('u7');
    expect(container).toBeInstanceOf(fx.host.skygearCloud.CloudCodeContainer);
    expect(container.apiKey).toBe(fx.config.masterKey);
    expect(container.endPoint).toBe('http://127.0.0.1:1/');
    expect(container.asUserId).toBe('u7');
  });

  it('signs asset names with the host asset URLs', async () => {
    await expect(fx.host.skygearCloud.getSigner().sign('a.png')).resolves.toBe('http://assets.test/files/a.png');
  });

  it('publishes on the public hub only after the surrounding transaction commits', async () => {
    const cloud = fx.host.skygearCloud;
    await fx.db.transaction(async () => {
      await cloud.publishEventsToChannels(['c1', 'c2'], [{ event: 'x' }]);
      expect(fx.published).toEqual([]);
    });
    expect(fx.published).toEqual([
      { hub: 'public', channel: 'c1', data: { event: 'x' } },
      { hub: 'public', channel: 'c2', data: { event: 'x' } },
    ]);
    const rolledBack = fx.db.transaction(async () => {
      await cloud.publishEventsToChannels('c3', [{ event: 'never' }]);
      throw new Error('rollback');
    });
    await expect(rolledBack).rejects.toThrow('rollback');
    await cloud.publishEventsToChannels('c4', [{ event: 'now' }]);
    expect(fx.published.map((p) => p.channel)).toEqual(['c1', 'c2', 'c4']);
    await expect(cloud.publishEventsToChannels(['c'], [['not an object'] as never])).rejects.toMatchObject({ code: 108 });
    await expect(cloud.publishEventsToChannels([''], [{}])).rejects.toMatchObject({ code: 108 });
  });

  it('runs afterTransaction work when the surrounding transaction ends, committed or not, and at once outside one', async () => {
    const cloud = fx.host.skygearCloud;
    const ended: string[] = [];
    await fx.db.transaction(async () => {
      cloud.afterTransaction(() => ended.push('committed'));
      expect(ended).toEqual([]);
    });
    await expect(
      fx.db.transaction(async () => {
        cloud.afterTransaction(() => ended.push('rolled back'));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    cloud.afterTransaction(() => ended.push('no transaction'));
    expect(ended).toEqual(['committed', 'rolled back', 'no transaction']);
  });

  it('hasLambda tells which lambdas are registered', () => {
    const cloud = fx.host.skygearCloud;
    expect(cloud.hasLambda('test:never-registered')).toBe(false);
    cloud.op('test:registered-now', () => null);
    expect(cloud.hasLambda('test:registered-now')).toBe(true);
  });

  it('exposes a pg.Pool-like pool marked inProcess, with promise and callback forms', async () => {
    const { pool } = fx.host.skygearCloud;
    expect(pool.inProcess).toBe(true);
    expect(() => {
      (pool as { inProcess: boolean }).inProcess = false;
    }).toThrow(TypeError);
    await pool.query('INSERT INTO facade_t VALUES ($1)', ['p']);
    const viaCallback = await new Promise<unknown>((resolve, reject) =>
      pool.query({ text: 'SELECT v FROM facade_t WHERE v = $1', values: ['p'] }, (err, res) => (err ? reject(err) : resolve(res?.rows))),
    );
    expect(viaCallback).toEqual([{ v: 'p' }]);
    await expect(pool.query('BEGIN') as Promise<unknown>).rejects.toThrow(/pool.connect/);
    const client = await new Promise<PoolClientLike>((resolve, reject) => {
      const cb: ConnectCallback = (err, c) => (err ? reject(err) : resolve(c!));
      fx.host.skygearCloud.poolConnect(cb);
    });
    await client.query('BEGIN');
    await client.query('INSERT INTO facade_t VALUES ($1)', ['session']);
    await client.query('COMMIT');
    client.release();
    expect(await rows()).toEqual(['p', 'session']);
  });

  it("nests a client's own transaction inside the host transaction as a savepoint", async () => {
    const { pool } = fx.host.skygearCloud;
    await fx.db.transaction(async () => {
      const client = (await pool.connect()) as PoolClientLike;
      await client.query('BEGIN');
      await client.query("INSERT INTO facade_t VALUES ('undone')");
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query("INSERT INTO facade_t VALUES ('kept')");
      await client.query('COMMIT');
      client.release();
      await pool.query("INSERT INTO facade_t VALUES ('same-tx')");
    });
    expect(await rows()).toEqual(['kept', 'same-tx']);
    const rolledBack = fx.db.transaction(async () => {
      await pool.query("INSERT INTO facade_t VALUES ('gone')");
      throw new Error('abort');
    });
    await expect(rolledBack).rejects.toThrow('abort');
    expect(await rows()).toEqual(['kept', 'same-tx']);
  });

  it('accepts anonymous hook functions and names them; rejects bad registrations clearly', () => {
    const cloud = fx.host.skygearCloud;
    cloud.beforeSave('note', (r) => r);
    cloud.beforeSave('note', (r) => r);
    expect(fx.host.registry.hooks('beforeSave', 'note').map((h) => h.name)).toEqual(['note:beforeSave:1', 'note:beforeSave:2']);
    function named(): void {}
    cloud.afterSave('note', named);
    cloud.afterDelete('note', named);
    expect(fx.host.registry.hooks('afterDelete', 'note')[0].name).toBe('named-1');
    expect(() => cloud.hook('h', () => undefined, { type: 'note', trigger: 'before-save' as never })).toThrow(PluginRegistrationError);
    expect(() => cloud.hook('h', () => undefined, { type: 'note', trigger: 'before-save' as never })).toThrow(/unknown trigger "before-save"/);
    expect(() => cloud.beforeSave('note', 'nope' as never)).toThrow(/expected a function/);
    expect(() => cloud.op('x', undefined as never)).toThrow(PluginRegistrationError);
  });

  it('gives a lambda returning undefined a null result and drops undefined keys', async () => {
    fx.host.skygearCloud.op('t:undef', () => undefined);
    fx.host.skygearCloud.op('t:partial', () => ({ a: 1, b: undefined, list: [undefined, 2] }));
    await fx.host.start();
    const call = (name: string) => fx.host.findAction(name)!.handle({ action: name, body: {}, auth: anonymous, requestId: 'r' });
    await expect(call('t:undef')).resolves.toBeNull();
    await expect(call('t:partial')).resolves.toEqual({ a: 1, list: [null, 2] });
  });

  it('runs before-plugins-ready while initialized, then becomes ready', async () => {
    const seen: string[] = [];
    fx.host.skygearCloud.event('before-plugins-ready', () => {
      seen.push(`before:${fx.host.state}`);
    });
    fx.host.skygearCloud.event('after-plugins-ready', () => {
      seen.push(`after:${fx.host.state}`);
    });
    expect(fx.host.state).toBe('uninitialized');
    await fx.host.start();
    expect(seen).toEqual(['before:initialized', 'after:ready']);
  });

  it('runs @every timers once ready and stops them on close', async () => {
    let runs = 0;
    let firstRun!: () => void;
    const ran = new Promise<void>((resolve) => (firstRun = resolve));
    fx.host.skygearCloud.every('@every 20ms', function tick() {
      runs += 1;
      firstRun();
    });
    fx.host.skygearCloud.every('0 0 * * * *', function cronSpec() {});
    await fx.host.start();
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([ran, new Promise((_, reject) => (guard = setTimeout(() => reject(new Error('timer never ran')), 5000)))]);
    clearTimeout(guard);
    await fx.host.close();
    const after = runs;
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(after);
  });

  it('turns handler returns into responses: string, SkygearResponse, skygear-core-like response', async () => {
    const cloud = fx.host.skygearCloud;
    cloud.handler('h:text', () => 'plain', { method: 'GET' });
    cloud.handler('h:resp', (req) => {
      const res = new cloud.SkygearResponse({ statusCode: 202, headers: { 'X-One': 'a' } });
      res.write(`got ${req.queryString}`);
      return res;
    }, { method: 'GET' });
    cloud.handler('h:core', () => ({ _isSkygearResponse: true, statusCode: 418, headers: { 'X-Many': ['x', 'y'] }, body: Buffer.from([1, 2]) }), { method: 'GET' });
    cloud.handler('h:form', (req) => new Promise((resolve, reject) => req.form((err, fields) => (err ? reject(err) : resolve(fields)))), { method: 'POST' });
    await fx.host.start();
    const get = (p: string, method = 'GET', body = Buffer.alloc(0), headers: Record<string, string[]> = {}) =>
      fx.host.matchHandler(method, p)!.handle({ method, path: p, queryString: 'q=1', headers, body, auth: anonymous, requestId: 'r' });
    await expect(get('/h/text')).resolves.toEqual({ status: 200, headers: { 'Content-Type': ['text/plain; charset=utf-8'] }, body: Buffer.from('plain') });
    await expect(get('/h/resp')).resolves.toEqual({ status: 202, headers: { 'X-One': ['a'] }, body: Buffer.from('got q=1') });
    await expect(get('/h/core')).resolves.toEqual({ status: 418, headers: { 'X-Many': ['x', 'y'] }, body: Buffer.from([1, 2]) });
    const form = Buffer.from('a=1&b=two');
    const parsed = await get('/h/form', 'POST', form, { 'content-type': ['application/x-www-form-urlencoded'], 'content-length': [String(form.length)] });
    expect(JSON.parse(parsed.body.toString())).toEqual({ a: '1', b: 'two' });
  });

  it('passes the hook context, original and pool to hooks in registration order', async () => {
    const calls: unknown[] = [];
    const cloud = fx.host.skygearCloud;
    cloud.beforeSave('note', function first(record, original, pool, options) {
      calls.push(['first', record.id, original?.id ?? null, pool === cloud.pool, options.context]);
      record.n = 1;
    });
    cloud.beforeSave('note', function second(record) {
      calls.push(['second', record.n]);
      record.n = (record.n as number) + 1;
      return record;
    });
    await fx.host.start();
    const out = await fx.db.transaction((tx) =>
      fx.host.run({
        trigger: 'beforeSave',
        recordType: 'note',
        record: { _id: 'note/1', n: 0 },
        original: { _id: 'note/1', n: 0 },
        auth: clientUser('u1'),
        requestId: 'rq',
        tx,
      }),
    );
    expect(out).toMatchObject({ _id: 'note/1', n: 2 });
    expect(calls).toEqual([
      ['first', 'note/1', 'note/1', true, { user_id: 'u1', access_key_type: 'client', request_id: 'rq', request_tag: 'record' }],
      ['second', 1],
    ]);
  });
});
