
import { closeAllClients, newClient, signupClient, type Container } from '../../support/client';
import { testDatabaseUrl } from '../../support/database';
import { type SkygearNode, startSkygearNode } from '../../support/skygear-node';
import { startTestServer, TEST_API_KEY, type TestServer } from '../../support/server';
import { ECHO_MODULE } from './support';


const skygear: any = require('skygear');
const EchoNote = skygear.Record.extend('echo_note');

/**
 * The real skygear-node runtime (skygear 1.7.2 `bin.js`) running the echo fixture as an out-of-process
 * plugin, reached by our server over the Skygear plugin HTTP transport (PLUGINS=NODE).
 */
describe(`skygear-node over the plugin HTTP transport on ${testDatabaseUrl()}`, () => {
  let runtime: SkygearNode;
  let server: TestServer;
  let anon: Container;
  let alice: Container;

  beforeAll(async () => {
    runtime = await startSkygearNode({ module: ECHO_MODULE, appName: 'skygear_node_test', env: { SERVE_STATIC_ASSETS: 'true' } });
    server = await startTestServer({ env: runtime.serverEnv() });
    anon = await newClient(server);
    alice = await signupClient(server, 'nodeuser');
  }, 90_000);

  afterAll(async () => {
    closeAllClients();
    await server?.close();
    await runtime?.stop();
  });

  const failure = async (p: Promise<unknown>): Promise<any> => {
    try {
      await p;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  };

  it('ran the lifecycle events in skygear-node', async () => {
    await expect(anon.lambda('echo:events')).resolves.toEqual({ events: ['before-plugins-ready', 'after-plugins-ready', 'server-ready'] });
  });

  it('round-trips a lambda with args and the caller context', async () => {
    const list = await alice.lambda('echo:args', ['a', 2]);
    expect(list).toMatchObject({ args: ['a', 2], user_id: alice.auth.currentUser._id, access_key_type: 'client', request_tag: 'plugin' });
    expect(list.when).toEqual(new Date('2020-01-02T03:04:05.000Z'));
    const object = await anon.lambda('echo:args', { k: 'v' });
    expect(object).toMatchObject({ args: { k: 'v' }, user_id: null });
    expect((await failure(anon.lambda('echo:whoami'))).error.code).toBe(101);
  });

  it('surfaces a plugin error with its code through the transport', async () => {
    const denied = await failure(anon.lambda('echo:fail', { code: 109, message: 'dup' }));
    expect(denied.status).toBe(409);
    expect(denied.error).toMatchObject({ name: 'Duplicated', code: 109, message: 'dup' });
    const boom = await failure(anon.lambda('echo:boom'));
    expect(boom.error).toMatchObject({ code: 10000, message: 'Error: boom' });
  });

  it('serves a skygear-node path handler (base64 bodies both ways)', async () => {
    const res = await fetch(`${server.url}/echo/hello?q=1`, {
      method: 'POST',
      headers: { 'X-Skygear-Api-Key': TEST_API_KEY },
      body: 'héllo',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'POST', path: '/echo/hello', query: { q: '1' }, body: 'héllo', user_id: null });
  });

  it('saves the record as the skygear-node before-save hook returned it', async () => {
    const saved = await alice.publicDB.save(new EchoNote({ text: 'from node', shout: '' }));
    expect(saved.shout).toBe('FROM NODE');
    const { rows } = await server.db.query(`SELECT shout FROM "${server.schema}".echo_note WHERE _id = $1`, [saved._id]);
    expect(rows).toEqual([{ shout: 'FROM NODE' }]);
    const rejected = await failure(alice.publicDB.save(new EchoNote({ text: 'reject', shout: '' })));
    expect(rejected).toMatchObject({ code: 108, message: 'echo_note rejected by before-save' });
  });
});
