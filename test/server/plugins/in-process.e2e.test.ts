
import { closeAllClients, newClient, signupClient, type Container } from '../../support/client';
import { testDatabaseUrl } from '../../support/database';
import { startTestServer, type TestServer } from '../../support/server';
import { ECHO_MODULE } from './support';


const skygear: any = require('skygear');
const EchoNote = skygear.Record.extend('echo_note');

/** The echo fixture loaded in process (LOAD_MODULES), driven through the real skygear client over HTTP. */
describe(`in-process cloud code end to end on ${testDatabaseUrl()}`, () => {
  let server: TestServer;
  let anon: Container;
  let alice: Container;

  beforeAll(async () => {
    server = await startTestServer({ loadModules: [ECHO_MODULE] });
    anon = await newClient(server);
    alice = await signupClient(server, 'alice');
  });

  afterAll(async () => {
    closeAllClients();
    await server?.close();
  });

  const waitFor = async (check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const failure = async (p: Promise<unknown>): Promise<any> => {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  };

  it('calls a lambda with list args and with object args, as the calling user', async () => {
    const list = await alice.lambda('echo:args', [1, 'two', { three: 3 }]);
    expect(list.args).toEqual([1, 'two', { three: 3 }]);
    expect(list.user_id).toBe(alice.auth.currentUser.id.replace(/^user\//, ''));
    expect(list.access_key_type).toBe('client');
    expect(list.request_tag).toBe('plugin');
    expect(list.when).toEqual(new Date('2020-01-02T03:04:05.000Z'));
    const object = await anon.lambda('echo:args', { name: 'Ann', at: new Date('2021-05-06T07:08:09.000Z') });
    expect(object.args).toEqual({ name: 'Ann', at: new Date('2021-05-06T07:08:09.000Z') });
    expect(object.user_id).toBeNull();
  });

  it('enforces userRequired and keyRequired', async () => {
    const noUser = await failure(anon.lambda('echo:whoami'));
    expect(noUser.error.code).toBe(101);
    const me = await alice.lambda('echo:whoami');
    expect(me.user_id).toBe(alice.auth.currentUser._id);

    // The client always sends its key, so the keyless call goes over plain HTTP.
    const keyless = await fetch(`${server.url}/echo/keyed`, { method: 'POST', body: JSON.stringify({ action: 'echo:keyed' }) });
    expect(keyless.status).toBe(401);
    expect((await keyless.json()).error.code).toBe(101);
    await expect(anon.lambda('echo:keyed')).resolves.toEqual({ access_key_type: 'client' });
  });

  it('surfaces the plugin error code, message and info', async () => {
    const denied = await failure(anon.lambda('echo:fail'));
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ name: 'PermissionDenied', code: 102, message: 'echo refused' });
    const custom = await failure(anon.lambda('echo:fail', { code: 110, message: 'no such thing', info: { id: 'x' } }));
    expect(custom.status).toBe(404);
    expect(custom.error).toMatchObject({ code: 110, message: 'no such thing', info: { id: 'x' } });
    const boom = await failure(anon.lambda('echo:boom'));
    expect(boom.status).toBe(500);
    expect(boom.error).toMatchObject({ code: 10000, message: 'Error: boom' });
  });

  it('saves the record as the before-save hook modified it', async () => {
    const saved = await alice.publicDB.save(new EchoNote({ text: 'quiet please', shout: '' }));
    expect(saved.shout).toBe('QUIET PLEASE');
    const { rows } = await server.db.query<{ text: string; shout: string }>(
      `SELECT text, shout FROM "${server.schema}".echo_note WHERE _id = $1`,
      [saved._id],
    );
    expect(rows).toEqual([{ text: 'quiet please', shout: 'QUIET PLEASE' }]);
  });

  it('reports a failing before-save hook as a per-record error and writes nothing for it', async () => {
    const ok = new EchoNote({ text: 'fine', shout: '' });
    const rejected = new EchoNote({ text: 'reject', shout: '' });
    const result = await alice.publicDB.save([ok, rejected]);
    expect(result.savedRecords[0].shout).toBe('FINE');
    expect(result.savedRecords[1]).toBeUndefined();
    expect(result.errors[1]).toMatchObject({ code: 108, message: 'echo_note rejected by before-save' });
    const notes = await server.db.query(`SELECT _id FROM "${server.schema}".echo_note WHERE _id = $1`, [rejected._id]);
    expect(notes.rows).toEqual([]);
    const log = await server.db.query(`SELECT record_id FROM "${server.schema}".echo_log WHERE record_id = $1`, [rejected._id]);
    expect(log.rows).toEqual([]);
  });

  it('commits the after-save SQL together with the record, and neither when the hook fails after writing', async () => {
    const kept = await alice.publicDB.save(new EchoNote({ text: 'logged', shout: '' }));
    const count = async (table: string, id: string): Promise<number> =>
      (await server.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${server.schema}".${table} WHERE ${table === 'echo_log' ? 'record_id' : '_id'} = $1`, [id])).rows[0].n;
    expect(await count('echo_note', kept._id)).toBe(1);
    expect(await count('echo_log', kept._id)).toBe(1);
    const { rows } = await server.db.query(`SELECT text, created FROM "${server.schema}".echo_log WHERE record_id = $1`, [kept._id]);
    expect(rows).toEqual([{ text: 'logged', created: true }]);

    // The hook wrote its row, then failed: the record and the hook's row are rolled back together.
    const failing = new EchoNote({ text: 'fail-after-save', shout: '' });
    const err = await failure(alice.publicDB.save(failing));
    expect(err).toMatchObject({ code: 10000, message: 'echo_note after-save failed after writing' });
    expect(await count('echo_note', failing._id)).toBe(0);
    expect(await count('echo_log', failing._id)).toBe(0);
  });

  it('delivers events published by a hook to websocket subscribers only after the save commits', async () => {
    const seen: any[] = [];
    alice.pubsub.on('echo-events', (data: any) => seen.push(data));
    // The subscription is confirmed once the client hears its own probe on the channel.
    await waitFor(async () => {
      alice.pubsub.publish('echo-events', { probe: true });
      await new Promise((r) => setTimeout(r, 50));
      return seen.some((d) => d.probe);
    }, 'the echo-events subscription');

    const visibleWhenDelivered: number[] = [];
    const saved = await alice.publicDB.save(new EchoNote({ text: 'announce me', shout: '' }));
    await waitFor(async () => {
      const hit = seen.find((d) => d.event === 'echo_saved' && d.id === saved._id);
      if (hit && visibleWhenDelivered.length === 0) {
        const { rows } = await server.db.query(`SELECT 1 FROM "${server.schema}".echo_note WHERE _id = $1`, [saved._id]);
        visibleWhenDelivered.push(rows.length);
      }
      return hit !== undefined;
    }, 'the echo_saved event');
    expect(visibleWhenDelivered).toEqual([1]);

    const failing = new EchoNote({ text: 'fail-after-save', shout: '' });
    await failure(alice.publicDB.save(failing));
    // A probe published after the failed save arrives after anything the save could have published.
    alice.pubsub.publish('echo-events', { probe: 'after' });
    await waitFor(async () => seen.some((d) => d.probe === 'after'), 'the closing probe');
    expect(seen.filter((d) => d.id === failing._id)).toEqual([]);
  });

  it('serves the plugin path handler with the caller and query', async () => {
    const res = await fetch(`${server.url}/echo/hello?x=1`, {
      method: 'POST',
      headers: { 'X-Skygear-Api-Key': server.config.apiKey, 'X-Skygear-Access-Token': alice.auth.accessToken },
      body: 'payload',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'POST',
      path: '/echo/hello',
      query: { x: '1' },
      body: 'payload',
      user_id: alice.auth.currentUser._id,
    });
    const asset = await fetch(`${server.url}/static/echo-assets/hello.txt`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('hello from echo assets\n');
  });
});
