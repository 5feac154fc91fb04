/* eslint-disable @typescript-eslint/no-explicit-any */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closeAllClients, newClient, signupClient, type Container } from '../../support/client';
import { testDatabaseUrl } from '../../support/database';
import { startTestServer, TEST_API_KEY, TEST_MASTER_KEY, type TestServer } from '../../support/server';
import { ECHO_MODULE } from './support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const skygear: any = require('skygear');
const EchoNote = skygear.Record.extend('echo_note');

const SKYGEAR_NODE = path.resolve(__dirname, '../../../node_modules/skygear/bin.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; rejects when the child dies or time runs out. */
async function waitForListening(port: number, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`skygear-node exited with ${child.exitCode}:\n${output()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`skygear-node did not listen on ${port} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * The real skygear-node runtime (skygear 1.7.2 `bin.js`) running the echo fixture as an out-of-process
 * plugin, reached by our server over the Skygear plugin HTTP transport (PLUGINS=NODE).
 */
describe(`skygear-node over the plugin HTTP transport on ${testDatabaseUrl()}`, () => {
  let child: ChildProcess;
  let workDir: string;
  let server: TestServer;
  let anon: Container;
  let alice: Container;
  let childOutput = '';

  beforeAll(async () => {
    const [serverPort, pluginPort] = [await freePort(), await freePort()];
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'skygear-node-'));
    await fs.writeFile(path.join(workDir, 'index.js'), '');
    child = spawn(process.execPath, [SKYGEAR_NODE], {
      cwd: workDir,
      env: {
        PATH: process.env.PATH ?? '',
        LOAD_MODULES: ECHO_MODULE,
        SKYGEAR_ENDPOINT: `http://127.0.0.1:${serverPort}`,
        API_KEY: TEST_API_KEY,
        MASTER_KEY: TEST_MASTER_KEY,
        APP_NAME: 'skygear_node_test',
        HTTP_ADDR: `127.0.0.1:${pluginPort}`,
        // skygear-core builds a pg@7 pool from this at import (it needs a user); the fixture never uses it.
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable',
        SERVE_STATIC_ASSETS: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (childOutput += String(d)));
    child.stderr?.on('data', (d) => (childOutput += String(d)));
    await waitForListening(pluginPort, child, () => childOutput);

    server = await startTestServer({
      env: { PORT: String(serverPort), PLUGINS: 'NODE', NODE_TRANSPORT: 'http', NODE_PATH: `http://127.0.0.1:${pluginPort}` },
    });
    anon = await newClient(server);
    alice = await signupClient(server, 'nodeuser');
  }, 90_000);

  afterAll(async () => {
    closeAllClients();
    await server?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (guard = setTimeout(r, 5000)))]);
      clearTimeout(guard);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
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
