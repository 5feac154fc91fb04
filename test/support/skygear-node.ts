import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDriver } from '../../src/server/db/open';
import { uniqueAppName } from './database';
import { TEST_API_KEY, TEST_MASTER_KEY, type TestServer, startTestServer } from './server';

/**
 * The REAL skygear-node runtime (skygear 1.7.2 `bin.js`) as a child process, loading the given module
 * through LOAD_MODULES exactly as in production. Our server reaches it over the plugin HTTP transport:
 * start the server with `serverEnv()` and the port `serverPort`.
 */
const SKYGEAR_NODE = path.resolve(__dirname, '../../node_modules/skygear/bin.js');

export interface SkygearNodeOptions {
  /** Absolute path of the cloud-code module (a .ts module needs `typescript: true`). */
  module: string;
  appName: string;
  /** skygear-core builds a pg@7 pool from this at import; it must contain a user. */
  databaseUrl?: string;
  /** Load TypeScript sources through tsx's require hook. */
  typescript?: boolean;
  env?: Record<string, string>;
}

export interface SkygearNode {
  /** The port our server must listen on (the runtime's SKYGEAR_ENDPOINT). */
  serverPort: number;
  pluginPort: number;
  /** Environment for startTestServer so it uses this runtime as plugin NODE. */
  serverEnv(): Record<string, string>;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
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
async function waitForListening(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
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

export async function startSkygearNode(opts: SkygearNodeOptions): Promise<SkygearNode> {
  const [serverPort, pluginPort] = [await freePort(), await freePort()];
  // skygear-node requires ./index.js (the "user code") from its working directory.
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'skygear-node-'));
  await fs.writeFile(path.join(workDir, 'index.js'), '');
  const args = opts.typescript ? ['--require', require.resolve('tsx/cjs'), SKYGEAR_NODE] : [SKYGEAR_NODE];
  const child = spawn(process.execPath, args, {
    cwd: workDir,
    env: {
      PATH: process.env.PATH ?? '',
      LOAD_MODULES: opts.module,
      SKYGEAR_ENDPOINT: `http://127.0.0.1:${serverPort}`,
      API_KEY: TEST_API_KEY,
      MASTER_KEY: TEST_MASTER_KEY,
      APP_NAME: opts.appName,
      HTTP_ADDR: `127.0.0.1:${pluginPort}`,
      DATABASE_URL: opts.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      let guard: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (guard = setTimeout(r, 5000)))]);
      clearTimeout(guard);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await fs.rm(workDir, { recursive: true, force: true });
  };

  try {
    await waitForListening(pluginPort, child, () => output, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    serverPort,
    pluginPort,
    serverEnv: () => ({ PORT: String(serverPort), PLUGINS: 'NODE', NODE_TRANSPORT: 'http', NODE_PATH: `http://127.0.0.1:${pluginPort}` }),
    output: () => output,
    stop,
  };
}

/** skygear-node talks to PostgreSQL over TCP: these pairings always use the machine's PostgreSQL. */
export const SKYGEAR_NODE_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface ServerOnSkygearNode {
  runtime: SkygearNode;
  server: TestServer;
  /** Stops both and drops the app schema (on PostgreSQL whatever TEST_DATABASE_URL says). */
  close(): Promise<void>;
}

/** Our server with `module` (a path, or comma-separated paths) run by the real skygear-node, on a fresh app schema. */
export async function startServerOnSkygearNode(opts: { module: string; typescript?: boolean }): Promise<ServerOnSkygearNode> {
  const appName = uniqueAppName();
  const runtime = await startSkygearNode({ module: opts.module, appName, databaseUrl: `${SKYGEAR_NODE_PG_URL}?sslmode=disable`, typescript: opts.typescript });
  let server: TestServer;
  try {
    server = await startTestServer({ env: { APP_NAME: appName, DATABASE_URL: SKYGEAR_NODE_PG_URL, ...runtime.serverEnv() } });
  } catch (err) {
    await runtime.stop();
    throw err;
  }
  return {
    runtime,
    server,
    async close() {
      await server.close();
      await runtime.stop();
      const admin = await openDriver(SKYGEAR_NODE_PG_URL, 'public');
      await admin.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
      await admin.close();
    },
  };
}
