/**
 * The demo page survives a server restart: the skygear client reconnects its pubsub socket by itself,
 * the page shows that it is offline meanwhile, re-fetches what it may have missed once the socket is
 * back, and keeps working with the same session (the token lives in the database, which outlives the
 * process). Bob uses the page; Alice is a Node skygear client.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { closeAllClients, signupClient, type Container } from '../support/client';
import { isPostgres, uniqueAppName } from '../support/database';
import { startTestServer, type TestServer } from '../support/server';
import { ChatPage, launchChromium } from './chat-page';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const PLUGIN = path.join(ROOT, 'src/plugin/index.ts');
const DEMO_DIR = path.join(ROOT, 'demo');
/** The client retries after 0 s, 5 s, 10 s …; a restart may take it two or three attempts to notice. */
const RECONNECT_WAIT_MS = 60_000;

let server: TestServer | undefined;
let browser: Browser;
let pgliteDir: string | undefined;

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Same app, port and database for both server processes, on whichever engine the suite runs. */
async function restartableEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = { APP_NAME: uniqueAppName(), PORT: String(await freePort()), DEMO_DIR };
  if (!isPostgres()) {
    // In-memory PGlite would forget everything; a PGlite directory survives the restart.
    pgliteDir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-restart-pglite-'));
    env.DATABASE_URL = pgliteDir;
  }
  return env;
}

/** Stops the server process but keeps its database (the harness's close() would drop the schema). */
async function stopKeepingData(s: TestServer): Promise<void> {
  await s.server.close();
  await fs.rm(s.config.assetStoreDir, { recursive: true, force: true });
}

async function sendAs(alice: Container, conversationId: string, body: string): Promise<void> {
  const Message = alice.Record.extend('message');
  await alice.publicDB.save(new Message({ body, conversation_id: new alice.Reference(`conversation/${conversationId}`), metadata: {} }));
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  closeAllClients();
  await browser?.close();
  await server?.close();
  if (pgliteDir) await fs.rm(pgliteDir, { recursive: true, force: true });
});

it('reconnects after the server restarts and shows what was sent meanwhile', async () => {
  const env = await restartableEnv();
  server = await startTestServer({ loadModules: [PLUGIN], env });
  const url = `${server.url}/demo/?apiKey=${encodeURIComponent(server.config.apiKey)}`;

  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const bob = await ChatPage.open(context, url, 'bob');
  await bob.signUp('bob password');
  const alice = await signupClient(server, 'alice');
  const { conversation } = await alice.lambda('chat:create_conversation', {
    participants: [`user/${await bob.userId()}`], title: null, metadata: {}, options: { distinctByParticipants: true },
  });
  const conversationId: string = conversation._id.replace(/^conversation\//, '');

  await bob.open(alice.auth.currentUser.username);
  await sendAs(alice, conversationId, 'Before the restart');
  await bob.message('Before the restart').waitFor();

  await stopKeepingData(server);
  await bob.page.getByText('Connection lost. Reconnecting…').waitFor();
  server = await startTestServer({ loadModules: [PLUGIN], env });

  await sendAs(alice, conversationId, 'While you were reconnecting');
  await bob.message('While you were reconnecting').waitFor({ timeout: RECONNECT_WAIT_MS });
  await bob.page.getByText('Connection lost. Reconnecting…').waitFor({ state: 'hidden', timeout: RECONNECT_WAIT_MS });
  await bob.screenshot('10-after-restart');

  // The session and the live feed both work on the new process.
  await bob.send('Back online');
  await sendAs(alice, conversationId, 'Welcome back');
  await bob.message('Welcome back').waitFor();
  const { results } = await alice.lambda('chat:get_messages', { conversation_id: conversationId, limit: 10 });
  expect(results.map((m: { body: string }) => m.body)).toEqual(['Welcome back', 'Back online', 'While you were reconnecting', 'Before the restart']);
  expect(bob.errors).toEqual([]);
  await context.close();
});
