
/**
 * Reading (issue 15, point 3 and the reading features of "Missing"): a message taller than the pane is
 * read once the reader scrolls through it; a conversation opens at its first unread message under an
 * "N new messages" divider; days are separated; a read on one device clears the badge on the user's
 * other devices; a message arriving while the tab is hidden raises a desktop notification.
 * Bob uses the page on a short desktop window (800×340, so the message pane is short); Alice is a
 * Node client.
 */
import type { BrowserContextOptions } from 'playwright-core';
import type { Container } from '../support/client';
import type { ChatPage } from './chat-page';
import { bare, createConversation, PASSWORD, sendAs, startDemo, waitUntil, type DemoFixture } from './demo-fixture';

jest.setTimeout(180_000);

const SHORT_WINDOW: BrowserContextOptions = { viewport: { width: 800, height: 340 } };

let demo: DemoFixture;
let bob: ChatPage;
let alice: Container;
let aliceName: string;
let direct: string;

/** Records every desktop notification the page creates (the browser's own one still shows). */
function spyOnNotifications(): void {
  const Real = window.Notification;
  const seen: Notification[] = [];
  (window as any).__notifications = seen;
  window.Notification = class extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      seen.push(this);
    }
  } as typeof Notification;
}

beforeAll(async () => {
  demo = await startDemo();
  bob = await demo.openPage('bob', SHORT_WINDOW, async (context) => {
    await context.grantPermissions(['notifications']);
    await context.addInitScript(spyOnNotifications);
  });
  await bob.signUp(PASSWORD);
  alice = await demo.client('alice');
  aliceName = alice.auth.currentUser.username;
  direct = await createConversation(alice, [await bob.userId()]);
});

afterAll(async () => {
  await demo?.close();
});

afterEach(() => {
  expect(bob.errors).toEqual([]);
});

const statusOf = async (messageId: string): Promise<string> =>
  (await demo.sql<{ conversation_status: string }>(`SELECT conversation_status FROM message WHERE _id = $1`, [bare(messageId)]))[0].conversation_status;

const unreadBadge = () => bob.conversationItem(aliceName).getByTestId('unread-badge');

it('marks a message taller than the message pane as read once the reader is in it', async () => {
  // 10 lines that each wrap: not long enough for "Read more" (500 characters, 10 lines), far taller
  // than this short window's pane.
  const line = (n: number) => `Line ${n}: the quick brown fox jumps over a dog`;
  const tall = Array.from({ length: 10 }, (_, i) => line(i + 1)).join('\n');
  expect(tall.length).toBeLessThanOrEqual(500);
  const saved = await sendAs(alice, direct, tall);
  await unreadBadge().filter({ hasText: /^1$/ }).waitFor();

  await bob.open(aliceName);
  const bubble = bob.message('Line 1:');
  await bubble.waitFor();
  // The situation of the report: the message can never be 60 % visible.
  const [messageHeight, paneHeight] = await bubble.evaluate((el) => [el.getBoundingClientRect().height, el.closest('.scroller')!.getBoundingClientRect().height]);
  expect(messageHeight * 0.6).toBeGreaterThan(paneHeight);

  // Scroll through it, top to bottom.
  await bob.page.locator('.scroller').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await waitUntil(async () => (await statusOf(saved._id)) === 'all_read', 'Alice’s tall message is all_read');
  await unreadBadge().waitFor({ state: 'detached' });
  await bob.waitForTitle('Skygear Chat');
});

it('opens a conversation at its first unread message, under "N new messages"', async () => {
  // Bob moves to another conversation; 25 messages arrive meanwhile.
  const other = await createConversation(alice, [await bob.userId()], 'Elsewhere');
  await sendAs(alice, other, 'Over here');
  await bob.open('Elsewhere');
  for (let i = 1; i <= 25; i++) await sendAs(alice, direct, `Update ${String(i).padStart(2, '0')}`);
  await unreadBadge().filter({ hasText: /^25$/ }).waitFor();

  await bob.open(aliceName);
  const divider = bob.page.getByTestId('unread-divider');
  await divider.filter({ hasText: '25 new messages' }).waitFor();
  // The divider sits right above "Update 01", both on screen; the newest is below, out of sight.
  const order = await bob.page.locator('.messages > li').evaluateAll((items) => items.map((li) => li.getAttribute('data-testid') === 'unread-divider' ? 'divider' : li.textContent ?? ''));
  const at = order.indexOf('divider');
  expect(order[at + 1]).toContain('Update 01');
  expect(order[at - 1]).toContain('Line 10');
  await expect(inView(divider)).resolves.toBe(true);
  await expect(inView(bob.message('Update 01'))).resolves.toBe(true);
  await expect(inView(bob.message('Update 25'))).resolves.toBe(false);
  await bob.screenshot('reading-01-unread-divider');

  // What is on screen gets read, the rest stays unread until Bob scrolls down to it.
  await unreadBadge().filter({ hasText: /^([1-9]|1[0-9]|2[0-4])$/ }).waitFor();
  await bob.page.locator('.scroller').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await unreadBadge().waitFor({ state: 'detached' });
});

/** Whether the element is (at least partly) inside the message pane's visible area. */
function inView(locator: ReturnType<ChatPage['message']>): Promise<boolean> {
  return locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const pane = el.closest('.scroller')!.getBoundingClientRect();
    return box.bottom > pane.top && box.top < pane.bottom;
  });
}

it('separates days: a date, a weekday, Yesterday, Today', async () => {
  const group = await createConversation(alice, [await bob.userId()], 'Dates');
  const daysAgo = [10, 3, 1, 0];
  for (const days of daysAgo) {
    const saved = await sendAs(alice, group, `Written ${days} days ago`);
    const when = new Date(Date.now() - days * 86_400_000);
    await demo.sql(`UPDATE message SET _created_at = $1 WHERE _id = $2`, [when.toISOString().replace('T', ' ').replace('Z', ''), bare(saved._id)]);
  }
  await bob.page.reload();
  await bob.waitReady();
  await bob.open('Dates');
  await bob.message('Written 0 days ago').waitFor();
  const separators = await bob.page.getByTestId('day-separator').allTextContents();
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
  const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
  expect(separators).toEqual([
    tenDaysAgo.toLocaleDateString('en-US', { weekday: 'short', day: 'numeric', month: 'long', ...(tenDaysAgo.getFullYear() !== new Date().getFullYear() ? { year: 'numeric' } : {}) }),
    threeDaysAgo.toLocaleDateString('en-US', { weekday: 'long' }),
    'Yesterday',
    'Today',
  ]);
  // The full date is one hover away on every message's time.
  const title = await bob.message('Written 10 days ago').locator('time').getAttribute('title');
  expect(title).toContain(String(tenDaysAgo.getFullYear()));
  expect(title).toContain(String(tenDaysAgo.getDate()));
  await bob.screenshot('reading-02-day-separators');
  // (It opened at the first of the four unread messages; read them all before the next test.)
  await bob.page.locator('.scroller').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await bob.conversationItem('Dates').getByTestId('unread-badge').waitFor({ state: 'detached' });
});

it('clears the badge on the user’s other devices when they read on one', async () => {
  const bobsPhone = await demo.openPage('bob');
  await bobsPhone.logIn(PASSWORD);
  await bob.open('Elsewhere');
  await sendAs(alice, direct, 'Read me anywhere');
  // Both devices show the message as unread.
  for (const [name, device] of [['bob', bob], ['bob’s phone', bobsPhone]] as const) {
    try {
      await device.conversationItem(aliceName).getByTestId('unread-badge').filter({ hasText: /^1$/ }).waitFor();
    } catch (err) {
      // Seen under heavy load (two suites at once): say what the device showed instead.
      const items = await device.page.locator('.conv-item').allTextContents();
      throw new Error(`${name}: no unread badge "1" on ${aliceName}; list: ${JSON.stringify(items)}; page errors: ${JSON.stringify(device.errors)}\n${String(err)}`);
    }
    await device.waitForTitle('(1) Skygear Chat');
  }
  // Bob reads it on one device; the other device's badge and title clear without a reload.
  await bob.open(aliceName);
  await bob.message('Read me anywhere').waitFor();
  await bobsPhone.conversationItem(aliceName).getByTestId('unread-badge').waitFor({ state: 'detached' });
  await bobsPhone.waitForTitle('Skygear Chat');
  expect(bobsPhone.errors).toEqual([]);
});

it('raises a desktop notification for a message that arrives while the tab is hidden', async () => {
  await bob.open('Elsewhere');
  const bell = bob.page.getByTestId('notifications-toggle');
  await bell.click();
  await bell.and(bob.page.locator('[aria-pressed="true"]')).waitFor();
  expect(await bell.getAttribute('aria-label')).toBe('Turn off desktop notifications');

  // Visible tab: no notification.
  await sendAs(alice, direct, 'You can see this one');
  await bob.conversationItem(aliceName).filter({ hasText: 'You can see this one' }).waitFor();
  expect(await notificationCount()).toBe(0);

  // Headless Chromium always reports its tabs as visible: make the document say what a background
  // tab says, and fire the event the browser fires.
  await setHidden(true);
  await sendAs(alice, direct, 'Are you around?');
  await bob.page.waitForFunction(() => (window as any).__notifications.length === 1);
  const [title, body] = await bob.page.evaluate(() => [(window as any).__notifications[0].title, (window as any).__notifications[0].body]);
  expect(title).toBe(aliceName);
  expect(body).toBe('Are you around?');

  // Clicking it brings the tab back and opens that conversation.
  await setHidden(false);
  await bob.page.evaluate(() => (window as any).__notifications[0].dispatchEvent(new Event('click')));
  await bob.page.getByTestId('chat-title').filter({ hasText: aliceName }).waitFor();
  expect(new URL(bob.page.url()).hash).toBe(`#/c/${direct}`);
});

async function notificationCount(): Promise<number> {
  return bob.page.evaluate(() => (window as any).__notifications.length);
}

async function setHidden(hidden: boolean): Promise<void> {
  await bob.page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
