/**
 * The demo web app (demo/) end to end: a real server with the chat plugin, two users in two isolated
 * Chromium contexts (Alice on a desktop viewport, Bob on a phone viewport), everything through the UI
 * and the unmodified skygear 1.7.2 browser bundle the server serves at /demo/vendor/skygear.js.
 * Screenshots go to test-artifacts/demo/ (and the README's two, docs/demo-desktop.png and
 * docs/demo-phone.png, when they are missing or UPDATE_DEMO_SCREENSHOT=1).
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server';
import { ChatPage, launchChromium, WAIT_MS } from './chat-page';
import { DESKTOP, PHONE } from './demo-fixture';
import { landscapePng } from './png';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');
const PLUGIN = path.join(ROOT, 'src/plugin/index.ts');
const DEMO_DIR = path.join(ROOT, 'demo');
const PASSWORD = 'correct horse';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let alice: ChatPage;
let bob: ChatPage;
let conversationId: string;

const sql = async <R = Record<string, any>>(text: string, params: unknown[] = []): Promise<R[]> =>
  (await server.db.query<R>(text, params)).rows;

/** Polls `condition` (a database state the page causes asynchronously) until it holds. */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${WAIT_MS} ms: ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function unreadOf(user: ChatPage): Promise<number> {
  const rows = await sql<{ unread_count: number }>(
    `SELECT unread_count FROM user_conversation WHERE "user" = $1 AND conversation = $2`, [await user.userId(), conversationId]);
  return Number(rows[0].unread_count);
}

beforeAll(async () => {
  server = await startTestServer({ loadModules: [PLUGIN], env: { DEMO_DIR } });
  browser = await launchChromium();
  const url = `${server.url}/demo/?apiKey=${encodeURIComponent(server.config.apiKey)}`;
  const desktop = await browser.newContext(DESKTOP);
  const phone = await browser.newContext(PHONE);
  contexts.push(desktop, phone);
  // Each test server has its own database, so plain names are free.
  alice = await ChatPage.open(desktop, url, 'alice');
  bob = await ChatPage.open(phone, url, 'Bob');
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

afterEach(() => {
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
});

it('signs both users up and gives each exactly one user_channel', async () => {
  await alice.screenshot('01-sign-up');
  await alice.signUp(PASSWORD);
  await bob.signUp(PASSWORD);
  await alice.page.getByText('No conversations yet.').waitFor();

  for (const user of [alice, bob]) {
    const channels = await sql(`SELECT name FROM user_channel WHERE _owner_id = $1`, [await user.userId()]);
    expect(channels).toHaveLength(1);
  }
});

it('finds Bob by part of his name (any case) and starts a direct conversation', async () => {
  await alice.startConversation('bO', [bob.username]);
  await alice.page.getByTestId('chat-title').filter({ hasText: bob.username }).waitFor();
  // The conversation reaches Bob's list live.
  await bob.conversationItem(alice.username).waitFor();

  const rows = await sql<{ _id: string; participant_ids: string[]; distinct_by_participants: boolean }>(
    `SELECT _id, participant_ids, distinct_by_participants FROM conversation`);
  expect(rows).toHaveLength(1);
  expect(rows[0].distinct_by_participants).toBe(true);
  expect([...rows[0].participant_ids].sort()).toEqual([await alice.userId(), await bob.userId()].sort());
  conversationId = rows[0]._id;
});

it('delivers messages live, counts them as unread for Bob, and clears the count once he reads them', async () => {
  await alice.send('Hello Bob!');
  await alice.send('Are you there?');
  expect(await alice.statusOf('Hello Bob!').getAttribute('data-status')).toBe('delivered');

  const badge = bob.conversationItem(alice.username).getByTestId('unread-badge');
  await badge.filter({ hasText: /^2$/ }).waitFor();
  await bob.page.getByTestId('total-unread').filter({ hasText: /^2$/ }).waitFor();
  await bob.waitForTitle('(2) Skygear Chat');
  await bob.screenshot('02-bob-unread-badges');

  await bob.open(alice.username);
  await bob.message('Are you there?').waitFor();
  await badge.waitFor({ state: 'detached' });
  await bob.waitForTitle('Skygear Chat');

  // Bob read both: Alice's ticks turn to "all_read" without a reload.
  await alice.waitForStatus('Hello Bob!', 'all_read');
  await alice.waitForStatus('Are you there?', 'all_read');
  const unread = await sql<{ unread_count: number }>(
    `SELECT unread_count FROM user_conversation WHERE "user" = $1 AND conversation = $2`, [await bob.userId(), conversationId]);
  expect(unread.map((r) => Number(r.unread_count))).toEqual([0]);
});

it('shows Bob typing on Alice’s screen, then his reply, which Alice reads at once', async () => {
  await bob.page.getByTestId('composer-input').pressSequentially('On my way', { delay: 30 });
  await alice.page.getByTestId('typing').filter({ hasText: `${bob.username} is typing` }).waitFor();
  await alice.screenshot('03-alice-sees-typing');

  await bob.page.getByTestId('send').click();
  await alice.message('On my way').waitFor();
  await alice.page.waitForFunction(() => document.querySelector('[data-testid="typing"]')?.textContent === '', null, { timeout: WAIT_MS });
  // Alice has the conversation open, so Bob's message is read as soon as it shows.
  await bob.waitForStatus('On my way', 'all_read');
  await alice.waitForTitle('Skygear Chat');
});

it('round-trips an image attachment with a preview on both sides', async () => {
  await alice.page.getByTestId('composer-file').setInputFiles({ name: 'landscape.png', mimeType: 'image/png', buffer: landscapePng(240, 160) });
  await alice.page.locator('.file-chip').filter({ hasText: 'landscape.png' }).waitFor();
  await alice.send('The view from here');

  const image = bob.message('The view from here').getByTestId('attachment-image');
  await image.waitFor();
  await bob.page.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="attachment-image"]')).some((img) => img.complete && img.naturalWidth === 240),
    null, { timeout: WAIT_MS });
  expect(await image.getAttribute('src')).toMatch(/\/files\//);

  const stored = await sql<{ attachment: string | null }>(`SELECT attachment FROM message WHERE body = $1`, ['The view from here']);
  expect(stored).toHaveLength(1);
  expect(stored[0].attachment).toMatch(/landscape\.png$/);

  await alice.waitForStatus('The view from here', 'all_read');
  await alice.page.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="attachment-image"]')).every((img) => img.complete && img.naturalWidth > 0),
    null, { timeout: WAIT_MS });
  // The README's pictures: written when missing, refreshed on demand (not on every run, to keep git clean).
  const shots = [
    [await alice.screenshot('04-alice-desktop-chat'), 'docs/demo-desktop.png'],
    [await bob.screenshot('05-bob-phone-chat'), 'docs/demo-phone.png'],
  ];
  for (const [shot, readmeShot] of shots) {
    const target = path.join(ROOT, readmeShot);
    if (process.env.UPDATE_DEMO_SCREENSHOT === '1' || !existsSync(target)) copyFileSync(shot, target);
  }
});

it('lists who read a message on demand (chat:get_receipt)', async () => {
  await alice.statusOf('Hello Bob!').click();
  await alice.page.getByTestId('receipts').locator('[data-receipt="read"]').filter({ hasText: bob.username }).waitFor();
  await alice.screenshot('06-receipts');
  await alice.page.keyboard.press('Escape');
  await alice.page.getByTestId('receipts').waitFor({ state: 'detached' });
});

it('re-opens the existing direct conversation instead of creating a second one', async () => {
  await alice.startConversation(bob.username.toLowerCase(), [bob.username]);
  await alice.page.getByTestId('chat-title').filter({ hasText: bob.username }).waitFor();
  await alice.message('Hello Bob!').waitFor();
  expect(await alice.page.locator('.conv-item').count()).toBe(1);
  expect(await sql(`SELECT _id FROM conversation`)).toHaveLength(1);
});

it('pages back through history with before_message_id', async () => {
  // 35 more messages straight through the client's record API (the UI path is covered above).
  await alice.page.evaluate(async (cid) => {
    const sky = (window as any).skygear;
    const Message = sky.Record.extend('message');
    for (let i = 0; i < 35; i++) {
      await sky.publicDB.save(new Message({ body: `bulk ${i}`, conversation_id: new sky.Reference(`conversation/${cid}`), metadata: {} }));
    }
  }, conversationId);
  await bob.message('bulk 34').waitFor();
  // Bob is at the bottom, so the newest is read and nothing is unread: the reload below opens at the
  // bottom with one page (with unread messages it would load enough to show the first of them).
  await waitUntil(async () => (await unreadOf(bob)) === 0);

  // A fresh load shows only the newest page; older ones arrive on demand. The URL names the open
  // conversation (#/c/<id>), so the reload opens it again.
  expect(new URL(bob.page.url()).hash).toBe(`#/c/${conversationId}`);
  await bob.page.reload();
  await bob.waitReady();
  await bob.page.getByTestId('chat-title').filter({ hasText: alice.username }).waitFor();
  await bob.message('bulk 34').waitFor();
  expect(await bob.page.getByTestId('message').count()).toBe(30);
  expect(await bob.message('Hello Bob!').count()).toBe(0);
  // Scrolling to the top of the list loads the page before the oldest message shown.
  await bob.page.getByTestId('load-older').waitFor();
  await bob.page.locator('.scroller').evaluate((el) => { el.scrollTop = 0; });
  await bob.message('Hello Bob!').waitFor();
  await bob.message('bulk 0').waitFor();
  // 4 earlier messages + 35 = 39 in all.
  expect(await bob.page.getByTestId('message').count()).toBe(39);
  await bob.screenshot('07-bob-history');

  // Alice writes while Bob reads history: he stays where he is, the message is not read yet, and a
  // "New messages" button takes him down to it, which reads it.
  await alice.send('Still reading?');
  await bob.page.getByTestId('jump-newest').waitFor();
  await bob.screenshot('07b-bob-new-messages-button');
  expect(await alice.statusOf('Still reading?').getAttribute('data-status')).toBe('delivered');
  await bob.page.getByTestId('jump-newest').click();
  await alice.waitForStatus('Still reading?', 'all_read');
  await bob.page.getByTestId('jump-newest').waitFor({ state: 'hidden' });
});

it('catches up after the realtime socket drops and reconnects', async () => {
  // Cut Bob's pubsub socket and hold off the client's automatic reconnect.
  await bob.page.evaluate(() => {
    const socket = (window as any).skygear.pubsub._pubsub;
    (window as any).__reconnect = socket.connect.bind(socket);
    socket.connect = () => undefined;
    socket._ws.close();
  });
  await bob.page.getByText('Connection lost. Reconnecting…').waitFor();
  await bob.screenshot('08-bob-offline');

  await alice.send('Sent while you were offline');
  expect(await bob.message('Sent while you were offline').count()).toBe(0);

  await bob.page.evaluate(() => {
    const socket = (window as any).skygear.pubsub._pubsub;
    socket.connect = (window as any).__reconnect;
    socket.connect();
  });
  await bob.message('Sent while you were offline').waitFor();
  await bob.page.getByText('Connection lost. Reconnecting…').waitFor({ state: 'hidden' });
  // ... and live events flow again.
  await alice.send('Welcome back');
  await bob.message('Welcome back').waitFor();
  // Both are on Bob's screen, so both get read (Alice's ticks). Waiting for it also keeps the next
  // test's unread count exact: leaving the chat before the page marked them would leave them unread.
  for (const body of ['Sent while you were offline', 'Welcome back']) {
    await alice.waitForStatus(body, 'all_read');
  }
});

it('manages a group: create, rename, promote, remove a participant, leave', async () => {
  await alice.startConversation(bob.username, [bob.username], 'Weekend trip');
  await alice.page.getByTestId('chat-title').filter({ hasText: 'Weekend trip' }).waitFor();
  // Back on the list (phone layout), Bob no longer sees the direct chat: new messages there are unread.
  await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
  await bob.conversationItem('Weekend trip').waitFor();
  await alice.open(bob.username);
  await alice.send('Ping');
  await bob.conversationItem(alice.username).getByTestId('unread-badge').filter({ hasText: /^1$/ }).waitFor();
  await alice.open('Weekend trip');

  await alice.page.getByTestId('details-button').click();
  await alice.page.getByTestId('rename-input').fill('Road trip');
  await alice.page.getByTestId('rename-save').click();
  await alice.page.getByTestId('chat-title').filter({ hasText: 'Road trip' }).waitFor();
  await bob.conversationItem('Road trip').waitFor();

  const bobId = await bob.userId();
  const bobRow = alice.page.getByTestId('members').locator(`[data-user-id="${bobId}"]`);
  await bobRow.getByRole('button', { name: 'Make admin' }).click();
  await bobRow.locator('.tag').filter({ hasText: 'admin' }).waitFor();
  await alice.screenshot('09-group-details');
  const admins = await sql<{ admin_ids: string[] }>(`SELECT admin_ids FROM conversation WHERE title = $1`, ['Road trip']);
  expect([...admins[0].admin_ids].sort()).toEqual([await alice.userId(), bobId].sort());

  await bobRow.getByRole('button', { name: `Remove ${bob.username}`, exact: true }).click();
  await bobRow.waitFor({ state: 'detached' });
  await bob.conversationItem('Road trip').waitFor({ state: 'detached' });

  alice.page.once('dialog', (dialog) => dialog.accept());
  await alice.page.getByTestId('leave').click();
  await alice.conversationItem('Road trip').waitFor({ state: 'detached' });
  await alice.conversationItem(bob.username).waitFor();
});
