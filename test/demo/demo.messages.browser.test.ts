
/**
 * Messages as people expect them (issue 15, points 4–6 and the message features of "Missing"):
 * sender names in a group that dropped to two members, long messages collapsed behind "Read more",
 * the size bound, clickable links, a filter of the list, sending while offline, editing and deleting
 * one's own messages, and an admin deleting a conversation. Alice and Bob use the page (desktop);
 * Carol is a Node client.
 */
import type { Container } from '../support/client';
import type { ChatPage } from './chat-page';
import { bare, createConversation, PASSWORD, startDemo, waitUntil, type DemoFixture } from './demo-fixture';

jest.setTimeout(180_000);

let demo: DemoFixture;
let alice: ChatPage;
let bob: ChatPage;
let carol: Container;
let group: string;

beforeAll(async () => {
  demo = await startDemo();
  alice = await demo.openPage('alice');
  bob = await demo.openPage('bob');
  await alice.signUp(PASSWORD);
  await bob.signUp(PASSWORD);
  carol = await demo.client('carol');
});

afterAll(async () => {
  await demo?.close();
});

afterEach(() => {
  expect(alice.errors).toEqual([]);
  expect(bob.errors).toEqual([]);
});

const messagesWithBody = async (body: string): Promise<number> =>
  (await demo.sql(`SELECT _id FROM message WHERE body = $1`, [body])).length;

it('names the sender in a group that dropped to two members', async () => {
  group = await createConversation(carol, [await alice.userId(), await bob.userId()], 'Book club');
  await carol.lambda('chat:add_admins', { conversation_id: group, admin_ids: [await alice.userId()] });
  await carol.lambda('chat:leave_conversation', { conversation_id: group });
  await alice.open('Book club');
  await bob.open('Book club');
  await alice.send('Chapter one was slow');
  await bob.send('Agreed, but it picks up');
  await bob.message('Chapter one was slow').waitFor();
  // Two members, but a group: each message from someone else says who wrote it.
  await bob.message('Chapter one was slow').getByTestId('message-sender').filter({ hasText: alice.username }).waitFor();
  await alice.message('Agreed, but it picks up').getByTestId('message-sender').filter({ hasText: bob.username }).waitFor();
  expect(await alice.page.locator('.chat-subtitle').textContent()).toBe('2 participants');
});

it('shows a long message collapsed, with "Read more"', async () => {
  const words = Array.from({ length: 1700 }, (_, i) => `word${i}`).join(' '); // ~10,000 characters
  expect(words.length).toBeGreaterThan(10_000);
  await alice.page.getByTestId('composer-input').fill(words);
  await alice.page.getByTestId('send').click();
  const bubble = bob.message('word0 word1');
  await bubble.waitFor();
  const paneHeight = await bob.page.locator('.scroller').evaluate((el) => el.clientHeight);
  const collapsedHeight = (await bubble.boundingBox())!.height;
  expect(collapsedHeight).toBeLessThan(paneHeight / 2);
  expect(await bubble.textContent()).not.toContain('word1699');

  const readMore = bubble.getByRole('button', { name: 'Read more' });
  expect(await readMore.getAttribute('aria-expanded')).toBe('false');
  await readMore.click();
  await bubble.getByRole('button', { name: 'Show less' }).waitFor();
  expect(await bubble.textContent()).toContain('word1699');
  await waitUntil(async () => ((await bubble.boundingBox())?.height ?? 0) > collapsedHeight * 3, 'the whole message shows');
  await bubble.getByRole('button', { name: 'Show less' }).click();
  await bubble.getByRole('button', { name: 'Read more' }).waitFor();

  // A 1.2 MB message from before the server's bound (written straight into the database): the page
  // lays out only its beginning, in the bubble and in the list.
  const id = await bubble.getAttribute('data-message-id');
  const legacy = `legacy ${'x'.repeat(80)} `.repeat(14_000);
  expect(legacy.length).toBeGreaterThan(1_200_000);
  await demo.sql(`UPDATE message SET body = $1 WHERE _id = $2`, [legacy, id]);
  await bob.page.reload();
  await bob.waitReady();
  const legacyBubble = bob.page.locator(`[data-message-id="${id}"]`);
  await legacyBubble.getByRole('button', { name: 'Read more' }).waitFor();
  expect((await legacyBubble.locator('.msg-body').textContent())!.length).toBeLessThan(1000);
  const preview = bob.conversationItem('Book club').locator('.conv-preview');
  await preview.filter({ hasText: /^legacy x+/ }).waitFor();
  expect((await preview.textContent())!.length).toBeLessThan(200);
});

it('refuses a message over 64 KB in the composer, with the reason', async () => {
  const huge = 'é'.repeat(40_000); // 40,000 characters, 80,000 bytes of UTF-8
  await bob.page.getByTestId('composer-input').fill(huge);
  const note = bob.page.getByTestId('composer-limit');
  await note.filter({ hasText: 'This message is too long to send: 78.1 KB, at most 64 KB.' }).waitFor();
  expect(await bob.page.getByTestId('composer-input').getAttribute('aria-invalid')).toBe('true');
  await bob.page.getByTestId('send').click();
  expect(await bob.page.getByTestId('message').filter({ hasText: 'éééé' }).count()).toBe(0);
  expect(await messagesWithBody(huge)).toBe(0);
  // Shortening it clears the warning.
  await bob.page.getByTestId('composer-input').fill('');
  await note.waitFor({ state: 'hidden' });

  // Should a too-long message get past the composer (another client's limit, a server configured
  // lower), the server's refusal (108 with info.limit) reads as plainly. The page's own send path,
  // called as the composer calls it:
  // (A string, so that ts-jest does not rewrite the dynamic import into require.)
  await bob.page.evaluate(`import('/demo/js/actions.js').then((actions) => actions.send(${JSON.stringify(group)}, ${JSON.stringify(huge)}, null))`);
  await bob.page.getByText('Sending failed: The message is too long: at most 64 KB.').waitFor();
  await bob.message('éééé').getByTestId('message-failed').filter({ hasText: 'Not sent' }).waitFor();
  expect(await messagesWithBody(huge)).toBe(0);
});

it('makes web addresses clickable, and only those', async () => {
  await alice.send('See https://example.com/wiki/Foo_(bar). Or www.example.org, not javascript:alert(1) <b>bold</b>');
  const bubble = bob.message('See https://example.com');
  await bubble.waitFor();
  const links = await bubble.locator('a.msg-link').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent, a.getAttribute('target'), a.getAttribute('rel')]));
  expect(links).toEqual([
    ['https://example.com/wiki/Foo_(bar)', 'https://example.com/wiki/Foo_(bar)', '_blank', 'noopener noreferrer nofollow'],
    ['https://www.example.org', 'www.example.org', '_blank', 'noopener noreferrer nofollow'],
  ]);
  // Markup a user types stays text.
  expect(await bubble.locator('b').count()).toBe(0);
  expect(await bubble.textContent()).toContain('<b>bold</b>');
});

it('filters the conversation list', async () => {
  await createConversation(carol, [await bob.userId()], 'Climbing');
  await bob.conversationItem('Climbing').waitFor();
  const filter = bob.page.getByLabel('Filter conversations');
  await filter.fill('climb');
  await bob.conversationItem('Book club').waitFor({ state: 'detached' });
  expect(await bob.page.locator('.conv-item').count()).toBe(1);
  // By a member's name too.
  await filter.fill(alice.username);
  await bob.conversationItem('Book club').waitFor();
  await bob.conversationItem('Climbing').waitFor({ state: 'detached' });
  await filter.fill('nothing like this');
  await bob.page.getByText('No conversation matches “nothing like this”.').waitFor();
  await filter.press('Escape');
  await bob.conversationItem('Climbing').waitFor();
  expect(await filter.inputValue()).toBe('');
});

it('explains being offline in plain words and sends what was written once back online', async () => {
  await bob.open('Book club');
  await bob.page.context().setOffline(true);
  await bob.page.getByTestId('composer-input').fill('Written on the train');
  await bob.page.getByTestId('send').click();
  const bubble = bob.message('Written on the train');
  await bubble.getByTestId('message-failed').filter({ hasText: 'Not sent yet' }).waitFor();
  await bob.page.getByText('You are offline. Your message will be sent when the connection is back.').waitFor();
  // The client's own text ("Request has been terminated. Possible causes: … Access-Control-Allow-Origin …") never shows.
  expect(await bob.page.locator('body').textContent()).not.toMatch(/Request has been terminated|Access-Control/);
  expect(await messagesWithBody('Written on the train')).toBe(0);

  await bob.page.context().setOffline(false);
  await bubble.getByTestId('message-status').waitFor();
  await alice.message('Written on the train').waitFor();
  expect(await messagesWithBody('Written on the train')).toBe(1);
});

it('lets the author edit a message: "edited" for everyone, the new text live', async () => {
  await bob.send('Meet at 6');
  await alice.message('Meet at 6').waitFor();
  const accessBefore = (await demo.sql(`SELECT _access FROM message WHERE body = 'Meet at 6'`))[0]._access;
  await bob.message('Meet at 6').hover();
  await bob.message('Meet at 6').getByTestId('message-menu').click();
  await bob.page.getByRole('menuitem', { name: 'Edit' }).click();
  await bob.page.getByTestId('edit-bar').waitFor();
  const box = bob.page.getByTestId('composer-input');
  expect(await box.inputValue()).toBe('Meet at 6');
  await box.fill('Meet at 7');
  await box.press('Enter');

  for (const page of [bob, alice]) {
    const edited = page.message('Meet at 7');
    await edited.getByTestId('message-edited').waitFor();
    expect(await page.message('Meet at 6').count()).toBe(0);
  }
  await bob.page.getByTestId('edit-bar').waitFor({ state: 'hidden' });
  const rows = await demo.sql<{ body: string; edited_at: Date | null }>(`SELECT body, edited_at FROM message WHERE body LIKE 'Meet at %'`);
  expect(rows.map((r) => r.body)).toEqual(['Meet at 7']);
  expect(rows[0].edited_at).not.toBeNull();
  // The page saves only {_id, body} (with the client's `_access: null`): the message's ACL stays.
  expect((await demo.sql(`SELECT _access FROM message WHERE body = 'Meet at 7'`))[0]._access).toEqual(accessBefore);
  // Only the author has "Edit".
  await alice.message('Meet at 7').hover();
  expect(await alice.message('Meet at 7').getByTestId('message-menu').count()).toBe(1); // Alice is an admin: Delete only
  await alice.message('Meet at 7').getByTestId('message-menu').click();
  expect(await alice.page.getByRole('menuitem').allTextContents()).toEqual(['Delete']);
  await alice.page.keyboard.press('Escape');
  await alice.page.getByRole('menuitem').waitFor({ state: 'hidden' });
});

it('lets the author delete a message: it becomes "message deleted" everywhere at once', async () => {
  await bob.send('Oops, wrong chat');
  await alice.message('Oops, wrong chat').waitFor();
  const id = await bob.message('Oops, wrong chat').getAttribute('data-message-id');
  // Every preview the list shows for the conversation from now on (it must never claim "No messages yet").
  await bob.page.evaluate(() => {
    const seen: string[] = [];
    (window as any).__previews = seen;
    new MutationObserver(() => {
      const item = Array.from(document.querySelectorAll('.conv-item')).find((li) => li.textContent?.includes('Book club'));
      const text = item?.querySelector('.conv-preview')?.textContent;
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(document.querySelector('[data-testid="conversation-list"]')!, { subtree: true, childList: true, characterData: true });
  });
  bob.page.once('dialog', (dialog) => dialog.accept());
  await bob.message('Oops, wrong chat').hover();
  await bob.message('Oops, wrong chat').getByTestId('message-menu').click();
  await bob.page.getByRole('menuitem', { name: 'Delete' }).click();
  for (const page of [bob, alice]) {
    await page.page.locator(`[data-message-id="${id}"]`).getByTestId('message-deleted').waitFor();
    expect(await page.message('Oops, wrong chat').count()).toBe(0);
  }
  // The list's preview goes back to the message before (the conversation's last_message moved).
  await bob.conversationItem('Book club').locator('.conv-preview').filter({ hasText: 'You: Meet at 7' }).waitFor();
  expect(await bob.page.evaluate(() => (window as any).__previews)).not.toContain('No messages yet');
  const rows = await demo.sql<{ deleted: boolean; body: string | null }>(`SELECT deleted, body FROM message WHERE _id = $1`, [bare(id!)]);
  expect(rows[0].deleted).toBe(true);
  expect(rows[0].body ?? '').toBe('');
  await bob.screenshot('messages-01-edited-and-deleted');
});

/** Interactive elements without an accessible name in the page's accessibility tree. */
async function unnamedControls(page: ChatPage): Promise<string[]> {
  const tree = await page.page.locator('body').ariaSnapshot();
  return tree.split('\n').filter((line) => /^\s*- (button|link|textbox|searchbox|combobox|checkbox|menuitem|tab)( \[[^\]]*\])*:?\s*$/.test(line));
}

it('names every control, in the list, the chat, the message menu and the panels', async () => {
  await bob.open('Book club');
  expect(await unnamedControls(bob)).toEqual([]);
  await bob.message('Meet at 7').hover();
  await bob.message('Meet at 7').getByTestId('message-menu').click();
  await bob.page.getByRole('menuitem', { name: 'Edit' }).waitFor();
  // The menu took the focus (arrow keys move in it, Escape gives it back to its button).
  await bob.waitForFocus('[role="menuitem"]');
  await bob.page.keyboard.press('ArrowDown');
  expect(await bob.page.evaluate(() => document.activeElement?.textContent)).toBe('Delete');
  expect(await unnamedControls(bob)).toEqual([]);
  await bob.page.keyboard.press('Escape');
  await bob.waitForFocus('[data-testid="message-menu"]');
  for (const [opener, panel] of [['details-button', 'Conversation details'], ['new-conversation', 'New conversation']]) {
    await bob.page.getByTestId(opener).click();
    await bob.page.getByRole('dialog', { name: panel }).waitFor();
    expect(await unnamedControls(bob)).toEqual([]);
    await bob.page.keyboard.press('Escape');
    await bob.page.getByRole('dialog').waitFor({ state: 'hidden' });
    // Closing a panel gives the focus back to what opened it.
    await bob.waitForFocus(`[data-testid="${opener}"]`);
  }
});

it('lets an admin delete the conversation for everyone', async () => {
  await alice.page.getByTestId('details-button').click();
  alice.page.once('dialog', (dialog) => dialog.accept());
  await alice.page.getByTestId('delete-conversation').click();
  await alice.conversationItem('Book club').waitFor({ state: 'detached' });
  // Bob had it open: it disappears, with a notice, and his URL leaves it.
  await bob.conversationItem('Book club').waitFor({ state: 'detached' });
  await bob.page.getByText('You are no longer in “Book club”.').waitFor();
  await waitUntil(async () => !new URL(bob.page.url()).hash.includes(group), 'Bob’s URL left the deleted conversation');
  const rows = await demo.sql<{ deleted: boolean }>(`SELECT deleted FROM conversation WHERE _id = $1`, [group]);
  expect(rows[0].deleted).toBe(true);
});
