/**
 * The demo on a 375×740 phone and in the address bar (issue 15, points 1 and 6): nothing wider than
 * the screen even with long previews and names, every header control on screen, a URL per
 * conversation that Back, Forward and reload follow, and the keyboard focus kept where the user is.
 * Bob uses the page on a phone, Alice on a desktop; Carol is a Node client.
 */
import type { Container } from '../support/client';
import type { ChatPage } from './chat-page';
import { createConversation, PASSWORD, PHONE, sendAs, startDemo, type DemoFixture } from './demo-fixture';

jest.setTimeout(180_000);

let demo: DemoFixture;
let alice: ChatPage;
let bob: ChatPage;
let carol: Container;
let direct: string; // Alice and Bob
let group: string; // Alice, Bob and Carol, with a long name

/** A preview that cannot wrap (no spaces), as in the report: it made the list 699 px wide. */
const UNBREAKABLE = `https://example.com/${'very-long-path-segment/'.repeat(12)}end`;
const LONG_TITLE = 'The weekend trip to the mountains with everyone from the office and their families';

beforeAll(async () => {
  demo = await startDemo();
  alice = await demo.openPage('alice');
  bob = await demo.openPage('bob', PHONE);
  await alice.signUp(PASSWORD);
  await bob.signUp(PASSWORD);
  carol = await demo.client('carol');
  const bobId = await bob.userId();
  // Alice's direct conversation with Bob, through her page's client (she is a page, not a Node client).
  direct = await alice.page.evaluate(async (id) => {
    const { conversation } = await (window as any).skygear.lambda('chat:create_conversation', {
      participants: [`user/${id}`], title: null, metadata: {}, options: { distinctByParticipants: true },
    });
    return conversation._id.replace(/^conversation\//, '');
  }, bobId);
  group = await createConversation(carol, [bobId, await alice.userId()], LONG_TITLE);
  await sendAs(carol, group, UNBREAKABLE);
});

afterAll(async () => {
  await demo?.close();
});

afterEach(() => {
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
});

const SCREEN = { width: 375, height: 740 };

/**
 * Elements wider than the phone's screen, or sticking out of it to the right. (A mobile browser
 * zooms out to fit a wider page, so innerWidth itself grows: the screen width is the yardstick.)
 */
function overflowing(page: ChatPage): Promise<string[]> {
  return page.page.evaluate((width) => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not displayed
      if (box.width > width + 0.5 || box.right > width + 0.5) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
    }
    if (document.documentElement.scrollWidth > width) out.push(`document scrollWidth ${document.documentElement.scrollWidth}`);
    return out;
  }, SCREEN.width);
}

/** Every control in the visible header(s) lies inside the viewport. */
async function headerControlsOutside(page: ChatPage, header: string): Promise<string[]> {
  return page.page.evaluate(({ selector, width, height }) => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(`${selector} button, ${selector} .badge`))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0) continue; // hidden control (e.g. the back arrow on a wide screen)
      if (box.left < 0 || box.right > width || box.top < 0 || box.bottom > height) {
        out.push(`${el.getAttribute('aria-label') ?? el.textContent} at ${Math.round(box.left)}..${Math.round(box.right)}`);
      }
    }
    return out;
  }, { selector: header, ...SCREEN });
}

it('fits a 375×740 phone: header controls, times and badges on screen, nothing wider than the screen', async () => {
  await bob.conversationItem(LONG_TITLE).getByTestId('unread-badge').waitFor();
  expect(await overflowing(bob)).toEqual([]);
  expect(await bob.page.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([SCREEN.width, SCREEN.height]);
  expect(await headerControlsOutside(bob, '.sidebar-head')).toEqual([]);
  for (const name of ['New conversation', 'Log out', 'Turn on desktop notifications']) {
    await bob.page.getByRole('button', { name, exact: true }).waitFor();
  }
  // The time and the unread badge of the long conversation sit inside the screen.
  const item = bob.conversationItem(LONG_TITLE);
  for (const part of [item.locator('.conv-time'), item.getByTestId('unread-badge')]) {
    const box = (await part.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(SCREEN.width);
  }
  await bob.screenshot('phone-01-list');

  await bob.open(LONG_TITLE);
  await bob.message(UNBREAKABLE.slice(0, 40)).waitFor();
  expect(await overflowing(bob)).toEqual([]);
  expect(await headerControlsOutside(bob, '.chat-head')).toEqual([]);
  await bob.page.getByRole('button', { name: 'Back to conversations' }).waitFor();
  await bob.page.getByRole('button', { name: 'Conversation details' }).waitFor();
  await bob.screenshot('phone-02-chat');
});

it('gives each conversation a URL that Back, Forward and reload follow', async () => {
  // From the previous test Bob is in the group: its URL names it.
  expect(new URL(bob.page.url()).hash).toBe(`#/c/${group}`);
  const chatTitle = bob.page.getByTestId('chat-title');
  const list = bob.page.getByTestId('conversation-list');

  // The browser's Back button returns to the list instead of leaving the app…
  await bob.page.goBack();
  await list.waitFor();
  await chatTitle.waitFor({ state: 'hidden' });
  // … and Forward opens the conversation again.
  await bob.page.goForward();
  await chatTitle.filter({ hasText: LONG_TITLE }).waitFor();
  await list.waitFor({ state: 'hidden' });

  // A reload keeps the open conversation.
  await bob.page.reload();
  await bob.waitReady();
  await chatTitle.filter({ hasText: LONG_TITLE }).waitFor();

  // The app's own back arrow, then another conversation: Back and Forward walk the same way.
  await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
  await list.waitFor();
  await bob.open(alice.username);
  expect(new URL(bob.page.url()).hash).toBe(`#/c/${direct}`);
  await bob.page.goBack();
  await list.waitFor();
  expect(new URL(bob.page.url()).hash).not.toContain(direct);

  // Typing a conversation's URL opens it; one Bob is not in shows a notice and the list.
  await bob.page.goto(`${demo.url}#/c/${group}`);
  await bob.waitReady();
  await chatTitle.filter({ hasText: LONG_TITLE }).waitFor();
  await bob.page.goto(`${demo.url}#/c/not-a-conversation`);
  await bob.page.getByText('That conversation does not exist, or you are not in it.').waitFor();
  await list.waitFor();
  expect(new URL(bob.page.url()).hash).toBe('#/');
});

it('focuses the message box when a conversation opens, and keeps the focus while events arrive', async () => {
  // Desktop: opening a conversation puts the cursor in the message box.
  await alice.open(bob.username);
  await alice.waitForFocus('[data-testid="composer-input"]');

  // Alice moves to the list with the keyboard and stays on the group's entry while Carol types and
  // writes there (the entry is redrawn and moves to the top) and Bob writes in the open chat.
  const groupButton = `[data-focus-key="conversation:${group}"]`;
  await alice.page.locator(groupButton).focus();
  await carol.lambda('chat:typing', { conversation_id: group, event: 'begin', at: new Date().toISOString() });
  await alice.conversationItem(LONG_TITLE).locator('.conv-preview.typing').waitFor();
  expect(await alice.focused()).toBe(`button[data-focus-key=conversation:${group}]`);
  await sendAs(carol, group, 'Focus test from Carol');
  await alice.conversationItem(LONG_TITLE).filter({ hasText: 'Focus test from Carol' }).waitFor();
  expect(await alice.focused()).toBe(`button[data-focus-key=conversation:${group}]`);

  // Her own message's status button keeps the focus when the status changes (Bob reads it).
  await alice.send('Did you see this?');
  const status = alice.statusOf('Did you see this?');
  await status.focus();
  const key = await status.getAttribute('data-focus-key');
  await bob.open(alice.username);
  await alice.waitForStatus('Did you see this?', 'all_read');
  expect(await alice.focused()).toBe(`button[data-testid=message-status][data-focus-key=${key}]`);

  // On the phone the title takes the focus (no keyboard popping up over the conversation).
  expect(await bob.focused()).toBe('h2[data-testid=chat-title]');
});
