
/**
 * What each demo browser suite starts with: a real server with the chat plugin serving demo/, one
 * Chromium, pages of the demo in isolated contexts (one context = one device), SQL on the server's
 * database, and Node skygear clients for the other side of a conversation when only the page under
 * test matters.
 */
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';
import { closeAllClients, signupClient, type Container } from '../support/client';
import { startTestServer, type TestServer } from '../support/server';
import { ChatPage, launchChromium, WAIT_MS } from './chat-page';

const ROOT = path.resolve(__dirname, '../..');
export const PLUGIN = path.join(ROOT, 'src/plugin/index.ts');
export const DEMO_DIR = path.join(ROOT, 'demo');
export const PASSWORD = 'correct horse';

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1180, height: 760 } };
/** The phone of issue 15: 375×740. */
export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export interface DemoFixture {
  server: TestServer;
  browser: Browser;
  /** The demo's URL with the test server's API key. */
  url: string;
  sql<R = Record<string, any>>(text: string, params?: unknown[]): Promise<R[]>;
  /**
   * A demo page in a new context (a device of its own), not signed in. `prepare` runs on the context
   * before the page opens (permissions, init scripts).
   */
  openPage(username: string, device?: BrowserContextOptions, prepare?: (context: BrowserContext) => Promise<void>): Promise<ChatPage>;
  /** A Node client signed up as `username` (its password is PASSWORD). */
  client(username: string): Promise<Container>;
  close(): Promise<void>;
}

export async function startDemo(env: Record<string, string> = {}): Promise<DemoFixture> {
  const server = await startTestServer({ loadModules: [PLUGIN], env: { DEMO_DIR, ...env } });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const url = `${server.url}/demo/?apiKey=${encodeURIComponent(server.config.apiKey)}`;
  return {
    server,
    browser,
    url,
    sql: async (text, params = []) => (await server.db.query(text, params)).rows as any[],
    async openPage(username, device = DESKTOP, prepare) {
      const context = await browser.newContext(device);
      contexts.push(context);
      await prepare?.(context);
      return ChatPage.open(context, url, username);
    },
    client: (username) => signupClient(server, username, PASSWORD),
    async close() {
      closeAllClients();
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

/** Polls `condition` (a state the page or server reaches asynchronously) until it holds. */
export async function waitUntil(condition: () => Promise<boolean>, what = String(condition)): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${WAIT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A bare id from a record id such as `conversation/<id>`. */
export const bare = (id: string): string => id.replace(/^[a-z_]+\//, '');

/** Alice (a Node client) starts a conversation with the given users; returns its bare id. */
export async function createConversation(by: Container, userIds: string[], title: string | null = null, distinct = title === null): Promise<string> {
  const { conversation } = await by.lambda('chat:create_conversation', {
    participants: userIds.map((id) => `user/${id}`), title, metadata: {}, options: { distinctByParticipants: distinct },
  });
  return bare(conversation._id);
}

/** Sends a message as a Node client (the record API, as the page does); returns the saved record. */
export async function sendAs(client: Container, conversationId: string, body: string): Promise<any> {
  const Message = client.Record.extend('message');
  return client.publicDB.save(new Message({ body, conversation_id: new client.Reference(`conversation/${conversationId}`), metadata: {} }));
}

export const userIdOf = (client: Container): string => client.auth.currentUser._id;
