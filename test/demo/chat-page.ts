import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Every wait in the browser tests is bounded by this (a failure reports instead of hanging). */
export const WAIT_MS = 20_000;

export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts/demo');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** One user's browser tab on the demo page, with the few gestures the tests need. */
export class ChatPage {
  readonly errors: string[] = [];

  private constructor(readonly page: Page, readonly username: string) {
    // Uncaught exceptions in the page are bugs; collect them so the test can assert there were none.
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  static async open(context: BrowserContext, url: string, username: string): Promise<ChatPage> {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(url);
    return new ChatPage(page, username);
  }

  async signUp(password: string): Promise<void> {
    await this.page.getByRole('tab', { name: 'Sign up' }).click();
    await this.page.getByLabel('Username').fill(this.username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
    await this.page.getByTestId('me').filter({ hasText: this.username }).waitFor();
    await this.waitReady();
  }

  /** Another device of an existing user: log in with the username and password. */
  async logIn(password: string): Promise<void> {
    await this.page.getByLabel('Username').fill(this.username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Log in', exact: true }).click();
    await this.page.getByTestId('me').filter({ hasText: this.username }).waitFor();
    await this.waitReady();
  }

  /** Subscribed to the user channel and the first conversation list shown (`data-ready` on the app). */
  async waitReady(): Promise<void> {
    await this.page.locator('.app[data-ready="true"]').waitFor();
  }

  userId(): Promise<string> {
    return this.page.evaluate(() => (window as any).skygear.auth.currentUser._id as string);
  }

  conversationItem(name: string): Locator {
    return this.page.locator('.conv-item').filter({ has: this.page.getByTestId('conversation-title').filter({ hasText: name }) });
  }

  message(text: string): Locator {
    return this.page.getByTestId('message').filter({ hasText: text });
  }

  statusOf(text: string): Locator {
    return this.message(text).getByTestId('message-status');
  }

  /** Waits until my message `text` shows `status` (e.g. all_read once the others have read it). */
  async waitForStatus(text: string, status: 'delivered' | 'some_read' | 'all_read'): Promise<void> {
    await this.statusOf(text).and(this.page.locator(`[data-status="${status}"]`)).waitFor();
  }

  async send(text: string): Promise<void> {
    await this.page.getByTestId('composer-input').fill(text);
    await this.page.getByTestId('send').click();
    // Confirmed by the server: the bubble shows a status instead of "Sending…".
    await this.statusOf(text).waitFor();
  }

  /** Opens "New conversation", searches `query`, picks `username`, optionally names a group, starts it. */
  async startConversation(query: string, usernames: string[], groupName?: string): Promise<void> {
    await this.page.getByTestId('new-conversation').click();
    for (const username of usernames) {
      await this.page.getByTestId('user-search').fill(query);
      await this.page.locator(`.user-result[data-username="${username}"]`).click();
    }
    if (groupName) await this.page.getByTestId('group-name').fill(groupName);
    await this.page.getByTestId('start-conversation').click();
  }

  async open(name: string): Promise<void> {
    await this.conversationItem(name).locator('.conv-button').click();
    await this.page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
  }

  /** Waits until the keyboard focus is on the element `selector` matches (a CSS selector). */
  async waitForFocus(selector: string): Promise<void> {
    await this.page.waitForFunction((sel) => document.activeElement?.matches(sel) ?? false, selector, { timeout: WAIT_MS });
  }

  /** A CSS-ish description of the focused element, for assertions that read well when they fail. */
  focused(): Promise<string> {
    return this.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return 'body';
      return `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}${el.dataset.focusKey ? `[data-focus-key=${el.dataset.focusKey}]` : ''}`;
    });
  }

  async waitForTitle(title: string): Promise<void> {
    await this.page.waitForFunction((t) => document.title === t, title, { timeout: WAIT_MS });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}
