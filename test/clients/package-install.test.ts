
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkInvariants } from '../plugin/invariants';
import { closeAllClients } from '../support/client';
import { type ServerOnSkygearNode, type SkygearNode, freePort, startServerOnSkygearNode } from '../support/skygear-node';
import type { TestServer } from '../support/server';
import { bareId, eventually, signupUsers } from '../plugin/support';

const exec = promisify(execFile);

/**
 * Installed as users install a plugin: `npm pack` builds the package (prepack), a fresh cloud-code
 * folder `npm install`s the tarball, and its index.js re-exports `includeme` — the JS form of the
 * seed's `from .chat import includeme`. The real skygear-node runtime loads that folder; the package's
 * `skygear-chat-server` bin starts the server. Nothing of this checkout is used but the tarball (and
 * skygear-node's bin.js, the runtime a user runs).
 */
const ROOT = path.resolve(__dirname, '../..');
let workDir: string;
let cloudDir: string;
let packedFiles: string[];

beforeAll(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-package-'));
  const packed = await exec('npm', ['pack', '--json', '--pack-destination', workDir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
  packedFiles = info.files.map((f: { path: string }) => f.path);
  cloudDir = path.join(workDir, 'my-cloud-code');
  await fs.mkdir(cloudDir);
  await fs.writeFile(path.join(cloudDir, 'package.json'), JSON.stringify({ name: 'my-cloud-code', version: '1.0.0', private: true }));
  await fs.writeFile(path.join(cloudDir, 'index.js'), "const { includeme } = require('skygear-chat-ts');\n\nmodule.exports = { includeme };\n");
  await exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(workDir, info.filename)], {
    cwd: cloudDir,
    maxBuffer: 64 * 1024 * 1024,
  });
}, 600_000);

afterAll(async () => {
  closeAllClients();
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

test('the package holds the built plugin, the server and the demo — no sources, tests or benchmarks', () => {
  expect(packedFiles).toEqual(expect.arrayContaining(['dist/plugin/index.js', 'dist/plugin/index.d.ts', 'dist/server/main.js', 'demo/index.html', 'package.json']));
  expect(packedFiles.filter((f) => /^(src|test|bench|scripts)\//.test(f))).toEqual([]);
});

describe('a cloud-code folder that re-exports includeme, under skygear-node (PostgreSQL)', () => {
  let pair: ServerOnSkygearNode;
  let runtime: SkygearNode;
  let server: TestServer;

  beforeAll(async () => {
    pair = await startServerOnSkygearNode({ module: cloudDir });
    ({ runtime, server } = pair);
  }, 120_000);

  afterAll(async () => {
    closeAllClients();
    await pair?.close();
  });

  test('conversations, messages, edits and deletes work through the installed package', async () => {
    try {
      const [alice, bob] = await signupUsers(server, 2, 'pkg');
      const cid = await alice.createConversation([bob], 'installed');
      const mid = await alice.send(cid, 'from the tarball');
      const unread = await eventually(async () => {
        const total = await bob.call('chat:total_unread');
        return total.message === 1 ? total : undefined;
      }, 'the unread count');
      expect(unread).toEqual({ conversation: 1, message: 1 });
      const [message] = (await bob.call('chat:get_messages', [cid, 10])).results;
      expect(bareId(message._id)).toBe(mid);
      expect(message.conversation).toEqual(message.conversation_id);
      await bob.call('chat:delete_message', [mid]).then(
        () => {
          throw new Error('bob is neither the author nor an admin');
        },
        (err: any) => expect(err.error.code).toBe(102),
      );
      await alice.call('chat:delete_message', [mid]);
      expect(await bob.call('chat:total_unread')).toEqual({ conversation: 0, message: 0 });
      await checkInvariants(server.db);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- skygear-node output ---\n${runtime.output()}`);
    }
  }, 120_000);
});

test('the skygear-chat-server bin starts the server with the chat plugin and the demo', async () => {
  const port = await freePort();
  const data = path.join(workDir, 'server-data');
  const child: ChildProcess = spawn(path.join(cloudDir, 'node_modules/.bin/skygear-chat-server'), [], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: 'memory://', ASSET_STORE_PATH: data, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  try {
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
      return (await fetch(`${base}/_status/healthz`).then((r) => r.ok, () => false)) || undefined;
    }, 'the packaged server', 60_000);
    expect((await fetch(`${base}/demo/`)).status).toBe(200);
    const lambda = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-skygear-api-key': 'changeme' },
      body: JSON.stringify({ action: 'chat:total_unread' }),
    }).then((r) => r.json());
    expect(lambda.error.code).toBe(101); // the chat plugin is there and wants a user
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
  }
}, 120_000);
