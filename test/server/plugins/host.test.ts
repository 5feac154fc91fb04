import { SkygearError } from '../../../src/server/core/errors';
import type { HookCall } from '../../../src/server/store/record-hooks';
import type { RecordJSON } from '../../../src/server/store/codec/record-json';
import { testDatabaseUrl } from '../../support/database';
import { anonymous, clientUser, ECHO_MODULE, master, startHost, type HostFixture } from './support';

/** The plugin host with the echo fixture loaded in process, driven directly (no HTTP server). */
describe(`plugin host, in-process module, on ${testDatabaseUrl()}`, () => {
  let fx: HostFixture;

  beforeAll(async () => {
    fx = await startHost({ LOAD_MODULES: ECHO_MODULE });
  });

  afterAll(async () => {
    await fx?.close();
  });

  const hookCall = (trigger: HookCall['trigger'], record: RecordJSON, tx: HookCall['tx'], original: RecordJSON | null = null): HookCall => ({
    trigger,
    recordType: 'echo_note',
    record,
    original,
    auth: clientUser('u1'),
    requestId: 'req-1',
    tx,
  });

  it('runs the lifecycle to ready and delivers the events in order', async () => {
    expect(fx.host.state).toBe('ready');
    const result = await fx.host.findAction('echo:events')!.handle({ action: 'echo:events', body: {}, auth: anonymous, requestId: 'r' });
    expect(result).toEqual({ events: ['before-plugins-ready', 'after-plugins-ready', 'server-ready'] });
  });

  it('passes the whole body converted from JSON, the context, and converts the result to JSON', async () => {
    const action = fx.host.findAction('echo:args')!;
    expect(action.requires).toBe('none');
    const result = await action.handle({
      action: 'echo:args',
      body: { action: 'echo:args', api_key: 'changeme', args: { n: 1, at: { $type: 'date', $date: '2021-01-01T00:00:00Z' } } },
      auth: clientUser('u1'),
      requestId: 'req-42',
    });
    expect(result).toEqual({
      args: { n: 1, at: { $type: 'date', $date: '2021-01-01T00:00:00.000Z' } },
      user_id: 'u1',
      access_key_type: 'client',
      request_tag: 'plugin',
      when: { $type: 'date', $date: '2020-01-02T03:04:05.000Z' },
    });
  });

  it('maps registration flags to requirements', () => {
    expect(fx.host.findAction('echo:whoami')!.requires).toBe('user');
    expect(fx.host.findAction('echo:keyed')!.requires).toBe('keyOrToken');
    expect(fx.host.findAction('echo:unknown')).toBeUndefined();
  });

  it('surfaces a thrown skygear-core SkygearError with its code, message and info', async () => {
    const call = fx.host.findAction('echo:fail')!.handle({
      action: 'echo:fail',
      body: { args: { code: 109, message: 'taken', info: { field: 'x' } } },
      auth: master,
      requestId: 'r',
    });
    await expect(call).rejects.toBeInstanceOf(SkygearError);
    await expect(call).rejects.toMatchObject({ code: 109, message: 'taken', info: { field: 'x' } });
  });

  it('turns any other thrown value into 10000 with its string form', async () => {
    const call = fx.host.findAction('echo:boom')!.handle({ action: 'echo:boom', body: {}, auth: anonymous, requestId: 'r' });
    await expect(call).rejects.toMatchObject({ code: 10000, message: 'Error: boom' });
  });

  it('runs beforeSave with a skygear-core Record and returns the modified record, keeping a null ACL null', async () => {
    expect(fx.host.has('beforeSave', 'echo_note')).toBe(true);
    expect(fx.host.has('beforeDelete', 'echo_note')).toBe(false);
    const saved = await fx.db.transaction((tx) =>
      fx.host.run(hookCall('beforeSave', { _id: 'echo_note/a', _type: 'record', _access: null, text: 'hi' }, tx)),
    );
    expect(saved).toMatchObject({ _id: 'echo_note/a', _access: null, text: 'hi', shout: 'HI' });
  });

  it('keeps an explicit ACL as given', async () => {
    const acl = [{ level: 'write', user_id: 'u1' }];
    const saved = await fx.db.transaction((tx) =>
      fx.host.run(hookCall('beforeSave', { _id: 'echo_note/b', _access: acl as RecordJSON['_access'], text: 'x' }, tx)),
    );
    expect(saved?._access).toEqual(acl);
  });

  it('fails the record with the hook error', async () => {
    const run = fx.db.transaction((tx) => fx.host.run(hookCall('beforeSave', { _id: 'echo_note/c', text: 'reject' }, tx)));
    await expect(run).rejects.toMatchObject({ code: 108, message: 'echo_note rejected by before-save', info: { arguments: ['text'] } });
  });

  it('runs afterSave SQL inside the save transaction: committed with it, rolled back with it', async () => {
    await fx.db.transaction((tx) => fx.host.run(hookCall('afterSave', { _id: 'echo_note/d', text: 'kept' }, tx)));
    const rollback = fx.db.transaction(async (tx) => {
      await fx.host.run(hookCall('afterSave', { _id: 'echo_note/e', text: 'dropped' }, tx));
      throw new Error('save failed later');
    });
    await expect(rollback).rejects.toThrow('save failed later');
    const failing = fx.db.transaction((tx) => fx.host.run(hookCall('afterSave', { _id: 'echo_note/f', text: 'fail-after-save' }, tx)));
    await expect(failing).rejects.toMatchObject({ code: 10000 });
    const { rows } = await fx.db.query<{ record_id: string; created: boolean }>('SELECT record_id, created FROM echo_log ORDER BY record_id');
    expect(rows).toEqual([{ record_id: 'd', created: true }]);
  });

  it('serves a registered handler with a SkygearRequest and converts the object it returns to JSON', async () => {
    expect(fx.host.matchHandler('PUT', '/echo/hello')).toBeUndefined();
    const handler = fx.host.matchHandler('POST', '/echo/hello')!;
    expect(handler.requires).toBe('none');
    const res = await handler.handle({
      method: 'POST',
      path: '/echo/hello',
      queryString: 'a=1&b=two',
      headers: { 'content-type': ['text/plain'] },
      body: Buffer.from('héllo'),
      auth: clientUser('u9'),
      requestId: 'r',
    });
    expect(res.status).toBe(200);
    expect(res.headers['Content-Type']).toEqual(['application/json']);
    expect(JSON.parse(res.body.toString())).toEqual({
      method: 'POST',
      path: '/echo/hello',
      query: { a: '1', b: 'two' },
      body: 'héllo',
      user_id: 'u9',
    });
  });

  it('serves static assets under /static/<mount>/ and refuses to leave the directory', async () => {
    const get = (p: string) =>
      fx.host.matchHandler('GET', p)!.handle({ method: 'GET', path: p, queryString: '', headers: {}, body: Buffer.alloc(0), auth: anonymous, requestId: 'r' });
    const ok = await get('/static/echo-assets/hello.txt');
    expect(ok.status).toBe(200);
    expect(ok.headers['Content-Type'][0]).toMatch(/^text\/plain/);
    expect(ok.body.toString()).toBe('hello from echo assets\n');
    expect((await get('/static/echo-assets/missing.txt')).status).toBe(404);
    expect((await get('/static/echo-assets/../index.js')).status).toBe(404);
    expect((await get('/static/echo-assets/%2e%2e/index.js')).status).toBe(404);
  });

  it('answers Range and conditional requests for static assets', async () => {
    const get = (p: string, headers: Record<string, string[]>) =>
      fx.host.matchHandler('GET', p)!.handle({ method: 'GET', path: p, queryString: '', headers, body: Buffer.alloc(0), auth: anonymous, requestId: 'r' });
    const part = await get('/static/echo-assets/hello.txt', { Range: ['bytes=0-4'] });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('hello');
    expect(part.headers['Content-Range']).toEqual(['bytes 0-4/23']);
    const first = await get('/static/echo-assets/hello.txt', {});
    const again = await get('/static/echo-assets/hello.txt', { 'If-None-Match': first.headers['ETag'] });
    expect(again.status).toBe(304);
  });
});
