
import { closeAllClients } from '../support/client';
import type { TestServer } from '../support/server';
import { TYPING_MAX_PER_WINDOW, TYPING_REPEAT_WINDOW_MS } from '../../src/plugin/typing';
import { type ChatUser, type Feed, expectError, signupUsers, startChatServer, subscribeFeed } from './support';

/**
 * chat:typing is throttled per (user, conversation) (docs/chat-semantics.md): a state change goes
 * out at once, a repeat of the same state within a second is dropped, and alternating states cannot
 * exceed TYPING_MAX_PER_WINDOW a second. Observed where it matters: the other participant's
 * realtime feed, through the unmodified client.
 */
let server: TestServer;
let alice: ChatUser, bob: ChatUser, eve: ChatUser;
let bobFeed: Feed;

beforeAll(async () => {
  server = await startChatServer();
  [alice, bob, eve] = await signupUsers(server, 3, 'throttle');
  bobFeed = await subscribeFeed(bob);
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const typingOf = (cid: string, user: ChatUser) => (e: any) => e.event === 'typing' && e.data?.[`conversation/${cid}`]?.[`user/${user.id}`];
const stateOf = (cid: string, user: ChatUser) => (e: any) => e.data[`conversation/${cid}`][`user/${user.id}`].event;
const windowsTouched = (ms: number) => Math.floor(ms / TYPING_REPEAT_WINDOW_MS) + 1;
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

test('50 repeats of "begin" in a burst reach the others once; a change of state goes out at once', async () => {
  const cid = await alice.createConversation([bob], 'burst');
  const started = Date.now();
  for (let i = 0; i < 50; i++) expect(await alice.call('chat:typing', [cid, 'begin'])).toEqual({ status: 'OK' });
  expect(await alice.call('chat:typing', [cid, 'pause'])).toEqual({ status: 'OK' });
  const burstMs = Date.now() - started;
  await bobFeed.waitFor((e) => typingOf(cid, alice)(e) && stateOf(cid, alice)(e) === 'pause', 'the pause');
  await settle();
  const states = bobFeed.matching(typingOf(cid, alice)).map(stateOf(cid, alice));
  // At most one "begin" per window the burst touched (one, unless the machine is very slow).
  expect(states.filter((s) => s === 'begin').length).toBeLessThanOrEqual(windowsTouched(burstMs));
  expect(states[0]).toBe('begin');
  expect(states.at(-1)).toBe('pause');
});

test('the same state is forwarded again once the window has passed', async () => {
  const cid = await alice.createConversation([bob], 'later');
  await alice.call('chat:typing', [cid, 'begin']);
  await bobFeed.waitFor(typingOf(cid, alice), 'the first begin');
  await new Promise((resolve) => setTimeout(resolve, TYPING_REPEAT_WINDOW_MS + 50));
  await alice.call('chat:typing', [cid, 'begin']);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await bobFeed.waitFor(() => bobFeed.matching(typingOf(cid, alice)).length === 2, 'the second begin');
});

test(`alternating states cannot exceed ${TYPING_MAX_PER_WINDOW} a second; other users and conversations are not held back`, async () => {
  const cid = await alice.createConversation([bob], 'alternate');
  const started = Date.now();
  for (let i = 0; i < 40; i++) await alice.call('chat:typing', [cid, i % 2 === 0 ? 'begin' : 'pause']);
  const burstMs = Date.now() - started;
  await bob.call('chat:typing', [cid, 'begin']); // bob's own key is fresh
  const other = await alice.createConversation([bob], 'other');
  await alice.call('chat:typing', [other, 'begin']); // so is alice's in another conversation
  await bobFeed.waitFor(typingOf(other, alice), "alice's typing in the other conversation");
  await bobFeed.waitFor(typingOf(cid, bob), "bob's own typing");
  await settle();
  const forwarded = bobFeed.matching(typingOf(cid, alice)).length;
  expect(forwarded).toBeGreaterThanOrEqual(TYPING_MAX_PER_WINDOW);
  expect(forwarded).toBeLessThanOrEqual(TYPING_MAX_PER_WINDOW * windowsTouched(burstMs));
});

test('the throttle never hides a refusal: a non-participant gets 102 every time', async () => {
  const cid = await alice.createConversation([bob], 'closed');
  for (let i = 0; i < 3; i++) await expectError(eve.call('chat:typing', [cid, 'begin']), 102);
});
