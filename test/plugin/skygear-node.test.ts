/* eslint-disable @typescript-eslint/no-explicit-any */
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { closeAllClients } from '../support/client';
import { uniqueAppName } from '../support/database';
import { TEST_API_KEY, TEST_MASTER_KEY, type TestServer, startTestServer } from '../support/server';
import { openDriver } from '../../src/server/db/open';
import { checkInvariants } from './invariants';
import { type ChatUser, bareId, eventually, recordEventOf, signupUsers, subscribeFeed } from './support';

/**
 * Smoke test under the REAL skygear-node runtime (skygear 1.7.2 `bin.js`): the plugin, unchanged,
 * is loaded by skygear-node (LOAD_MODULES) and reached by our server over the plugin HTTP transport.
 * skygear-node talks to PostgreSQL over TCP, so this test always uses PostgreSQL, also in the PGlite
 * run of the suite.
 */
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const SKYGEAR_NODE = path.resolve(__dirname, '../../node_modules/skygear/bin.js');
const PLUGIN_ENTRY = path.resolve(__dirname, '../../src/plugin/index.ts');

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

async function waitForListening(port: number, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
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
  throw new Error(`skygear-node did not listen on ${port}:\n${output()}`);
}

describe('the chat plugin under skygear-node (PostgreSQL)', () => {
  const appName = uniqueAppName();
  let child: ChildProcess;
  let workDir: string;
  let server: TestServer;
  let output = '';

  beforeAll(async () => {
    const [serverPort, pluginPort] = [await freePort(), await freePort()];
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-skygear-node-'));
    await fs.writeFile(path.join(workDir, 'index.js'), '');
    child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), SKYGEAR_NODE], {
      cwd: workDir,
      env: {
        PATH: process.env.PATH ?? '',
        LOAD_MODULES: PLUGIN_ENTRY,
        SKYGEAR_ENDPOINT: `http://127.0.0.1:${serverPort}`,
        API_KEY: TEST_API_KEY,
        MASTER_KEY: TEST_MASTER_KEY,
        APP_NAME: appName,
        HTTP_ADDR: `127.0.0.1:${pluginPort}`,
        DATABASE_URL: `${PG_URL}?sslmode=disable`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => (output += String(d)));
    child.stderr?.on('data', (d) => (output += String(d)));
    await waitForListening(pluginPort, child, () => output);
    server = await startTestServer({
      env: {
        APP_NAME: appName,
        DATABASE_URL: PG_URL,
        PORT: String(serverPort),
        PLUGINS: 'NODE',
        NODE_TRANSPORT: 'http',
        NODE_PATH: `http://127.0.0.1:${pluginPort}`,
      },
    });
  }, 120_000);

  afterAll(async () => {
    closeAllClients();
    await server?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    // This server's schema is on PostgreSQL whatever TEST_DATABASE_URL says: drop it ourselves.
    const admin = await openDriver(PG_URL, 'public');
    await admin.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
    await admin.close();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  test('create a conversation, send, mark read, total_unread — and the realtime event', async () => {
    let alice: ChatUser, bob: ChatUser;
    try {
      [alice, bob] = await signupUsers(server, 2, 'node');
      const feed = await subscribeFeed(bob);
      const cid = await alice.createConversation([bob], 'over skygear-node');
      const mid = await alice.send(cid, 'hello from node');
      await feed.waitFor(recordEventOf('create', 'message', mid), 'the message event published by skygear-node', 20_000);
      const unread = await eventually(async () => {
        const total = await bob.call('chat:total_unread');
        return total.message === 1 ? total : null;
      }, 'the unread count');
      expect(unread).toEqual({ conversation: 1, message: 1 });
      const page = await bob.call('chat:get_messages', [cid, 10]);
      expect(page.results.map((m: any) => bareId(m._id))).toEqual([mid]);
      await bob.call('chat:mark_as_read', [[mid]]);
      expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
      const [message] = (await alice.call('chat:get_messages', [cid, 1])).results;
      expect(message.conversation_status).toBe('all_read');
      await checkInvariants(server.db);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- skygear-node output ---\n${output}`);
    }
  }, 120_000);
});
