/**
 * Attachments in a tab left open (issue 15, point 2): the server signs download URLs for a limited
 * time (ASSET_STORE_URL_EXPIRE_DURATION, here a few seconds instead of 15 minutes). Once a URL has expired the
 * file answers 403; the page must still show the picture and open the file, by asking for a new URL.
 *
 * The picture arrives in a conversation the page holds but does not show, and is first drawn after
 * its URL expired, so the browser has to fetch it then (a picture drawn once before is repainted
 * from the document's memory of loaded images, and the expiry would go unnoticed).
 */

import { newClient, type Container } from '../support/client';
import type { ChatPage } from './chat-page';
import { landscapePng } from './png';
import { createConversation, PASSWORD, sendAs, startDemo, waitUntil, type DemoFixture } from './demo-fixture';

jest.setTimeout(180_000);

/** Long enough for a loaded machine to fetch a picture with a fresh URL, short enough to wait out. */
const URL_EXPIRY_SECONDS = 5;

let demo: DemoFixture;
let bob: ChatPage;
let alice: Container;
let direct: string;
let other: string;

beforeAll(async () => {
  demo = await startDemo({ ASSET_STORE_URL_EXPIRE_DURATION: String(URL_EXPIRY_SECONDS) });
  bob = await demo.openPage('bob');
  await bob.signUp(PASSWORD);
  alice = await demo.client('alice');
  direct = await createConversation(alice, [await bob.userId()]);
  other = await createConversation(alice, [await bob.userId()], 'Another chat');
  await sendAs(alice, other, 'Something else');
});

afterAll(async () => {
  await demo?.close();
});

afterEach(() => {
  expect(bob.errors).toEqual([]);
});

/** Sends a file to the direct conversation through the record API, as the page does (asset:put + upload, then the save). */
async function sendFile(from: Container, name: string, contentType: string, bytes: Buffer, body: string): Promise<any> {
  const Message = from.Record.extend('message');
  return from.publicDB.save(new Message({
    body, conversation_id: new from.Reference(`conversation/${direct}`), metadata: {},
    attachment: new from.Asset({ name, file: bytes, contentType }),
  }));
}

const expiredAt = (url: string): number => Number(new URL(url).searchParams.get('expiredAt'));

/** Waits until the server refuses `url` (its signature has run out). */
async function waitUntilRefused(url: string): Promise<void> {
  await waitUntil(async () => (await fetch(url)).status === 403, `${url} answers 403`);
}

it('shows a picture whose URL expired before the conversation was opened', async () => {
  // Bob's own picture, sent from his phone (a second device) while his desktop tab shows another
  // conversation, and read by Alice: the tab keeps the message with the URL the last event carried,
  // and no later event will bring a new one.
  const aliceName = alice.auth.currentUser.username;
  await bob.open(aliceName);
  await bob.open('Another chat');
  const bobsPhone = await newClient(demo.server);
  await bobsPhone.auth.loginWithUsername(bob.username, PASSWORD);
  const picture = await sendFile(bobsPhone, 'landscape.png', 'image/png', landscapePng(240, 160), 'A picture');
  await alice.lambda('chat:mark_as_read', [[picture._id]]);
  await bob.conversationItem(aliceName).filter({ hasText: 'A picture' }).waitFor();
  // The read's event reached the tab by now (it is published before the lambda answers), with a URL
  // signed before this moment: wait until that URL has run out.
  const signedBy = Date.now();
  await waitUntil(async () => Date.now() > signedBy + (URL_EXPIRY_SECONDS + 2) * 1000, 'the URL has expired');

  const files: number[] = [];
  bob.page.on('response', (response) => {
    if (response.url().includes('/files/')) files.push(response.status());
  });
  await bob.open(aliceName);
  const image = bob.message('A picture').getByTestId('attachment-image');
  // A decoded picture: the browser got the bytes (a 403 leaves naturalWidth at 0).
  await waitUntil(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 240), 'the picture is shown');
  // The page did meet the expired URL (403), and then asked for a new one.
  expect(files[0]).toBe(403);
  expect(files).toContain(200);
  expect(expiredAt((await image.getAttribute('src'))!)).toBeGreaterThan(signedBy / 1000);
});

it('opens a file whose URL expired', async () => {
  const text = Buffer.from('minutes of the meeting\n');
  await sendFile(alice, 'minutes.txt', 'text/plain', text, 'The minutes');
  const link = bob.message('The minutes').getByTestId('attachment-file');
  await link.waitFor();
  const expiredHref = (await link.getAttribute('href'))!;
  await waitUntilRefused(expiredHref);

  const [popup] = await Promise.all([bob.page.waitForEvent('popup'), link.click()]);
  // The new tab opens a newly signed URL, which the server serves.
  await popup.waitForURL(/\/files\//);
  await popup.getByText('minutes of the meeting').waitFor();
  expect(expiredAt(popup.url())).toBeGreaterThan(expiredAt(expiredHref));
  await popup.close();
});
