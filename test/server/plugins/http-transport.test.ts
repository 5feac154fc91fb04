import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HookCall } from '../../../src/server/store/record-hooks';
import type { Envelope } from '../../../src/server/plugins/transport/envelope';
import type { RecordJSON } from '../../../src/server/store/codec/record-json';
import { testDatabaseUrl } from '../../support/database';
import { clientUser, startHost, type HostFixture } from './support';

type Reply = unknown;

/** A stand-in plugin process speaking the plugin HTTP transport: records every envelope, answers via `respond`. */
class FakePlugin {
  readonly received: Envelope[] = [];
  respond: (env: Envelope) => Reply | Promise<Reply> = () => ({ result: null });
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const env = JSON.parse(body) as Envelope;
      this.received.push(env);
      const reply = await this.respond(env);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(typeof reply === 'string' ? reply : JSON.stringify(reply));
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  events(): string[] {
    return this.received.filter((e) => e.kind === 'event').map((e) => e.name!);
  }
}

const REGISTRATION = {
  op: [{ name: 'fake:op', key_required: true }, { name: 'fake:user', user_required: true }, { key_required: true }],
  event: [{ name: 'init' }],
  handler: [
    { name: 'fake:page', methods: ['GET'], user_required: false },
    { name: 'fake:page', methods: ['POST'] },
  ],
  hook: [
    { name: 'noteBefore', type: 'note', trigger: 'beforeSave' },
    { name: 'noteAfter', type: 'note', trigger: 'afterSave' },
    { name: 'dropped', type: 'note', trigger: 'before-save' },
  ],
  timer: [{ name: 'cleanup', spec: '@every 1h' }],
  provider: [{ type: 'auth', id: 'com.example' }],
};

describe(`plugin HTTP transport against a fake plugin, on ${testDatabaseUrl()}`, () => {
  const plugin = new FakePlugin();
  let fx: HostFixture;
  const statesSeen: Record<string, string> = {};
  let initTries = 0;

  beforeAll(async () => {
    const url = await plugin.listen();
    plugin.respond = (env) => {
      if (env.kind !== 'event') return { result: null };
      statesSeen[env.name!] = fx?.host.state ?? 'not created';
      if (env.name !== 'init') return { result: [] };
      initTries += 1;
      // The first init fails: Go (and we) retry every 2 s until the plugin answers.
      return initTries === 1 ? { error: { message: 'not yet' } } : { result: REGISTRATION };
    };
    fx = await startHost({ PLUGINS: 'FAKE', FAKE_TRANSPORT: 'http', FAKE_PATH: url }, { start: false });
    await fx.host.start();
    await fx.db.query('CREATE TABLE IF NOT EXISTS t_log (v text)');
  }, 30_000);

  afterAll(async () => {
    await fx?.close();
    await plugin.close();
  });

  it('runs the startup sequence: config events, init retried, then the ready events', () => {
    expect(initTries).toBe(2);
    expect(plugin.events()).toEqual(['before-config', 'init', 'init', 'after-config', 'before-plugins-ready', 'after-plugins-ready', 'server-ready']);
    expect(statesSeen['before-plugins-ready']).toBe('initialized');
    expect(statesSeen['after-plugins-ready']).toBe('ready');
    const init = plugin.received.find((e) => e.name === 'init')!;
    expect(init).toEqual({ kind: 'event', name: 'init', param: { config: expect.objectContaining({ app: expect.objectContaining({ name: fx.config.appName, master_key: fx.config.masterKey }) }) } });
    expect(fx.host.state).toBe('ready');
  });

  it('registers what init declared and drops what Go would drop', () => {
    expect(fx.host.findAction('fake:op')?.requires).toBe('keyOrToken');
    expect(fx.host.findAction('fake:user')?.requires).toBe('user');
    expect(fx.host.matchHandler('GET', '/fake/page')).toBeDefined();
    expect(fx.host.matchHandler('POST', '/fake/page')).toBeDefined();
    expect(fx.host.matchHandler('PUT', '/fake/page')).toBeUndefined();
    expect(fx.host.registry.hooks('beforeSave', 'note').map((h) => h.name)).toEqual(['noteBefore']);
    expect(fx.host.registry.timers().map((t) => t.spec)).toEqual(['@every 1h']);
    expect(fx.host.registry.providers().map((p) => p.id)).toEqual(['com.example']);
  });

  it('sends a lambda the whole body and the context, and returns its result', async () => {
    plugin.respond = () => ({ result: { ok: true } });
    const body = { action: 'fake:op', api_key: 'k', args: [1, 2] };
    await expect(fx.host.findAction('fake:op')!.handle({ action: 'fake:op', body, auth: clientUser('u1'), requestId: 'rid' })).resolves.toEqual({ ok: true });
    expect(plugin.received.at(-1)).toEqual({
      kind: 'op',
      name: 'fake:op',
      param: body,
      context: { user_id: 'u1', access_key_type: 'client', request_id: 'rid', request_tag: 'plugin' },
    });
  });

  it('maps plugin errors as Go does', async () => {
    const call = () => fx.host.findAction('fake:op')!.handle({ action: 'fake:op', body: {}, auth: clientUser('u1'), requestId: 'r' });
    plugin.respond = () => ({ error: { code: 102, message: 'no', info: { a: 1 } } });
    await expect(call()).rejects.toMatchObject({ code: 102, message: 'no', info: { a: 1 } });
    plugin.respond = () => ({ error: { message: 'coded nothing' } });
    await expect(call()).rejects.toMatchObject({ code: 10000, message: 'coded nothing' });
    plugin.respond = () => ({ error: { code: 110, message: '' } });
    await expect(call()).rejects.toMatchObject({ code: 110, message: 'An unexpected error has occurred in the plugin.' });
    plugin.respond = () => 'Invalid request body';
    await expect(call()).rejects.toMatchObject({ code: 10000, message: expect.stringMatching(/^Failed to parse plugin response/) });
    plugin.respond = () => ({});
    await expect(call()).resolves.toBeNull();
  });

  it('sends handler bodies as base64 with canonical headers and decodes the answer', async () => {
    plugin.respond = () => ({
      result: { status: 201, header: { 'X-Foo': ['a', 'b'], 'Content-Type': 'text/plain' }, body: Buffer.from('créé').toString('base64') },
    });
    const res = await fx.host.matchHandler('POST', '/fake/page')!.handle({
      method: 'POST',
      path: '/fake/page',
      queryString: 'x=1',
      headers: { 'content-type': ['application/octet-stream'], host: ['h'] },
      body: Buffer.from([0, 255, 1]),
      auth: clientUser('u2'),
      requestId: 'r2',
    });
    expect(res).toEqual({ status: 201, headers: { 'X-Foo': ['a', 'b'], 'Content-Type': ['text/plain'] }, body: Buffer.from('créé') });
    expect(plugin.received.at(-1)).toEqual({
      kind: 'handler',
      name: 'fake:page',
      param: { status: 0, method: 'POST', path: '/fake/page', query_string: 'x=1', header: { 'Content-Type': ['application/octet-stream'] }, body: 'AP8B' },
      context: { user_id: 'u2', access_key_type: 'client', request_id: 'r2', request_tag: 'plugin' },
    });
    plugin.respond = () => ({ result: { status: 0, header: {}, body: '' } });
    await expect(
      fx.host.matchHandler('GET', '/fake/page')!.handle({ method: 'GET', path: '/fake/page', queryString: '', headers: {}, body: Buffer.alloc(0), auth: clientUser('u'), requestId: 'r' }),
    ).rejects.toMatchObject({ code: 10000 });
  });

  const call = (trigger: HookCall['trigger'], record: RecordJSON, tx: HookCall['tx']): HookCall => ({
    trigger,
    recordType: 'note',
    record,
    original: null,
    auth: clientUser('u1'),
    requestId: 'rq',
    tx,
  });

  it('uses the record a beforeSave hook returns and fails on a non-record answer', async () => {
    plugin.respond = (env) => ({ result: { ...(env.param as { record: RecordJSON }).record, extra: 'added' } });
    const out = await fx.db.transaction((tx) => fx.host.run(call('beforeSave', { _id: 'note/1', _access: null, v: 1 }, tx)));
    expect(out).toEqual({ _id: 'note/1', _access: null, v: 1, extra: 'added' });
    expect(plugin.received.at(-1)).toMatchObject({
      kind: 'hook',
      name: 'noteBefore',
      param: { record: { _id: 'note/1', _access: null, v: 1 }, original: null },
      context: { user_id: 'u1', request_tag: 'record', request_id: 'rq' },
    });
    plugin.respond = () => ({ result: { no: 'id' } });
    await expect(fx.db.transaction((tx) => fx.host.run(call('beforeSave', { _id: 'note/2' }, tx)))).rejects.toMatchObject({ code: 10000 });
  });

  it('calls an out-of-process afterSave only after the save commits, and never after a rollback', async () => {
    plugin.respond = (env) => ({ result: (env.param as { record: RecordJSON }).record });
    const hookCalls = () => plugin.received.filter((e) => e.kind === 'hook' && e.name === 'noteAfter').length;
    const before = hookCalls();
    await fx.db.transaction(async (tx) => {
      await tx.query("INSERT INTO t_log VALUES ('row')");
      await fx.host.run(call('afterSave', { _id: 'note/3' }, tx));
      expect(hookCalls()).toBe(before);
    });
    expect(hookCalls()).toBe(before + 1);
    const rolledBack = fx.db.transaction(async (tx) => {
      await fx.host.run(call('afterSave', { _id: 'note/4' }, tx));
      throw new Error('rollback');
    });
    await expect(rolledBack).rejects.toThrow('rollback');
    expect(hookCalls()).toBe(before + 1);
    // Its errors are logged, not thrown into the committed save.
    plugin.respond = () => ({ error: { code: 102, message: 'after failed' } });
    await expect(fx.db.transaction((tx) => fx.host.run(call('afterSave', { _id: 'note/5' }, tx)))).resolves.toBeUndefined();
  });
});
