
/**
 * Hostile input: fast-check throws malformed argument sets at every chat lambda and malformed
 * records at every hooked record type. Each must get a Skygear error envelope with the right code
 * (108 for a malformed shape, never 500 / 10000), the server must answer a health call afterwards,
 * and a snapshot of every chat table must be unchanged.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { receiptId, userConversationId } from '../../src/plugin/ids';
import { closeAllClients } from '../support/client';
import { callAction, rawRequest, type RawResponse } from '../support/http';
import type { TestServer } from '../support/server';
import { type ChatUser, signupUsers, startChatServer } from '../plugin/support';
import { chatSnapshot, snapshotDiff } from './chat-state';

const RUNS = 200;
let server: TestServer;
let alice: ChatUser; // admin of conv
let bob: ChatUser; // participant of conv
let carol: ChatUser; // in nothing but her own conversation
let conv: string;
let carolsConv: string;
let message: string;
let unreadMessage: string; // bob has no receipt for it
let carolsMessage: string;

beforeAll(async () => {
  server = await startChatServer();
  [alice, bob, carol] = await signupUsers(server, 3, 'fuzz');
  conv = await alice.createConversation([bob], 'fuzzed');
  carolsConv = await carol.createConversation([], 'alone');
  message = await alice.send(conv, 'hello');
  await bob.call('chat:mark_as_read', [[message]]);
  unreadMessage = await alice.send(conv, 'unread');
  carolsMessage = await carol.send(carolsConv, 'note to self');
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

const token = (u: ChatUser): string => u.client.auth.accessToken;

/** A response must be a Skygear error envelope with one of `codes`, never a 5xx. */
function expectSkygearError(res: RawResponse, codes: number[], what: unknown): void {
  const err = res.json?.error;
  const ok = res.status < 500 && err && typeof err.code === 'number' && codes.includes(err.code) && typeof err.message === 'string';
  if (!ok) throw new Error(`expected a Skygear error ${codes.join('/')} for ${JSON.stringify(what)}, got HTTP ${res.status} ${res.text.slice(0, 400)}`);
}

async function expectHealthyAndUnchanged(before: Awaited<ReturnType<typeof chatSnapshot>>): Promise<void> {
  const health = await rawRequest(server, '/_status/healthz', { method: 'GET' });
  expect(health.status).toBe(200);
  const alive = await callAction(server, 'chat:total_unread', {}, { apiKey: server.config.apiKey, accessToken: token(alice) });
  expect(alive.status).toBe(200);
  expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
}

// ---- malformed values, by the type the argument should have (JSON-safe: no undefined/NaN) ----
const junkObject = fc.dictionary(
  fc.string({ maxLength: 6 }).filter((k) => !['id', '_id', '$id', '$record', '$date', '__proto__'].includes(k)),
  fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean()),
  { maxKeys: 3 },
);
const finiteNonInteger = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Number.isInteger(d));
const badId = (type: string) =>
  fc.oneof(
    fc.integer(),
    finiteNonInteger,
    fc.boolean(),
    fc.constant(''),
    junkObject,
    fc.constantFrom('user', 'message', 'conversation', 'receipt').filter((t) => t !== type).map((t) => `${t}/${randomUUID()}`),
    fc.constant(`${type}/`),
    fc.constant(`${type}/a/b`),
    fc.constant('x'.repeat(300)),
    fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  );
/** A value that is not a list of ids (and not a single id either). */
const badIdList = (type: string) =>
  fc.oneof(
    fc.integer(),
    fc.boolean(),
    junkObject,
    fc.tuple(fc.array(fc.uuid(), { maxLength: 2 }), badId(type)).map(([ok, bad]) => [...ok, bad]),
  );
const badIdListStrict = (type: string) => fc.oneof(badIdList(type), fc.uuid()); // a bare string is not a list
const badInteger = fc.oneof(fc.integer({ max: 0 }), finiteNonInteger, fc.boolean(), fc.constant('ten'), junkObject, fc.array(fc.integer(), { maxLength: 2 }));
const badDate = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.string({ maxLength: 10 }).map((s) => `not a date ${s}`),
  fc.constant({ $type: 'date', $date: 'tomorrow' }),
  junkObject,
);
const badString = fc.oneof(fc.integer(), fc.boolean(), junkObject, fc.array(fc.string(), { maxLength: 2 }));
const badObject = fc.oneof(fc.integer(), fc.boolean(), fc.string(), fc.array(fc.integer(), { maxLength: 2 }));
const badBoolean = fc.oneof(fc.integer(), fc.constantFrom('true', 'yes', ''), junkObject);
const badEvent = fc.oneof(fc.string({ maxLength: 8 }).filter((s) => !['begin', 'pause', 'finished'].includes(s)), fc.integer(), junkObject);
const missing = fc.constant(null);

interface Param {
  name: string;
  valid: () => unknown;
  bad: fc.Arbitrary<unknown>;
  /** Accepted and ignored whatever its value: never fuzzed. */
  ignored?: boolean;
}

/** Each lambda: its positional parameters, a valid value for each, and what a malformed one looks like. */
function lambdaParams(): Record<string, Param[]> {
  const cid: Param = { name: 'conversation_id', valid: () => conv, bad: fc.oneof(badId('conversation'), missing) };
  const users = (name: string): Param => ({ name, valid: () => [bob.id], bad: fc.oneof(badIdListStrict('user'), missing) });
  return {
    'chat:create_conversation': [
      { name: 'participants', valid: () => [bob.id], bad: fc.oneof(badIdListStrict('user'), missing) },
      { name: 'title', valid: () => 'x', bad: badString },
      { name: 'metadata', valid: () => ({}), bad: badObject },
      {
        name: 'options',
        valid: () => ({}),
        bad: fc.oneof(
          badObject,
          badBoolean.map((b) => ({ distinctByParticipants: b })),
          badIdListStrict('user').map((l) => ({ adminIDs: l })),
        ),
      },
    ],
    'chat:add_participants': [cid, users('participant_ids')],
    'chat:remove_participants': [cid, users('participant_ids')],
    'chat:add_admins': [cid, users('admin_ids')],
    'chat:remove_admins': [cid, users('admin_ids')],
    'chat:leave_conversation': [cid],
    'chat:delete_conversation': [cid],
    'chat:get_conversation': [cid, { name: 'include_last_message', valid: () => true, bad: badBoolean }],
    'chat:get_conversations': [
      { name: 'page', valid: () => 1, bad: badInteger },
      { name: 'page_size', valid: () => 10, bad: badInteger },
      { name: 'include_last_message', valid: () => true, bad: badBoolean },
      { name: 'order', valid: () => null, bad: fc.constant(undefined), ignored: true },
    ],
    'chat:get_messages': [
      cid,
      { name: 'limit', valid: () => 10, bad: badInteger },
      { name: 'before_time', valid: () => new Date().toISOString(), bad: badDate },
      { name: 'order', valid: () => null, bad: fc.oneof(badString, fc.string({ maxLength: 8 }).filter((o) => !['', 'seq', 'created_at', '_created_at', 'edited_at'].includes(o))) },
      { name: 'before_message_id', valid: () => null, bad: badId('message') },
      { name: 'after_time', valid: () => null, bad: badDate },
      { name: 'after_message_id', valid: () => null, bad: badId('message') },
    ],
    'chat:get_messages_by_ids': [{ name: 'message_ids', valid: () => [message], bad: fc.oneof(badIdList('message'), missing) }],
    'chat:mark_as_delivered': [{ name: 'message_ids', valid: () => [message], bad: fc.oneof(badIdList('message'), missing) }],
    'chat:mark_as_read': [{ name: 'message_ids', valid: () => [message], bad: fc.oneof(badIdList('message'), missing) }],
    'chat:get_receipt': [{ name: 'message_id', valid: () => message, bad: fc.oneof(badId('message'), missing) }],
    'chat:delete_message': [{ name: 'message_id', valid: () => message, bad: fc.oneof(badId('message'), missing) }],
    'chat:typing': [
      cid,
      { name: 'event', valid: () => 'begin', bad: fc.oneof(badEvent, missing) },
      { name: 'at', valid: () => new Date().toISOString(), bad: badDate },
    ],
  };
}

/** args with exactly one malformed parameter, positional or named; or a malformed `args` itself. */
function malformedArgs(params: Param[]): fc.Arbitrary<unknown> {
  const fuzzable = params.map((p, i) => ({ p, i })).filter(({ p }) => !p.ignored);
  const onePositionBad = fc
    .tuple(fc.constantFrom(...fuzzable), fc.boolean())
    .chain(([{ p, i }, named]) =>
      p.bad.map((bad) => {
        if (named) return { ...Object.fromEntries(params.slice(0, i).map((q) => [q.name, q.valid()])), [p.name]: bad };
        return [...params.slice(0, i).map((q) => q.valid()), bad];
      }),
    );
  const wholeArgsBad = fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.string({ maxLength: 10 }),
    fc.constant(Array.from({ length: params.length + 1 }, (_, i) => params[i]?.valid() ?? 1)), // too many
  );
  return fc.oneof({ weight: 9, arbitrary: onePositionBad }, { weight: 1, arbitrary: wholeArgsBad });
}

let malformedTotal = 0;

describe('every chat lambda answers malformed arguments with InvalidArgument (108) and changes nothing', () => {
  const names = [
    'chat:create_conversation', 'chat:add_participants', 'chat:remove_participants', 'chat:add_admins', 'chat:remove_admins',
    'chat:leave_conversation', 'chat:delete_conversation', 'chat:get_conversation', 'chat:get_conversations', 'chat:get_messages',
    'chat:get_messages_by_ids', 'chat:mark_as_delivered', 'chat:mark_as_read', 'chat:get_receipt', 'chat:typing',
    'chat:delete_message',
  ];
  test.each(names)('%s', async (lambda) => {
    const params = lambdaParams()[lambda];
    const before = await chatSnapshot(server.db);
    await fc.assert(
      fc.asyncProperty(malformedArgs(params), async (args) => {
        malformedTotal++;
        const res = await callAction(server, lambda, { args }, { apiKey: server.config.apiKey, accessToken: token(alice) });
        expectSkygearError(res, [108], { lambda, args });
      }),
      { numRuns: RUNS, seed: 20251125 },
    );
    await expectHealthyAndUnchanged(before);
  }, 60_000);

  test('chat:total_unread takes no arguments: junk is ignored, never an error or a change', async () => {
    const before = await chatSnapshot(server.db);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.string(), junkObject, fc.array(fc.anything(), { maxLength: 3 })), async (args) => {
        malformedTotal++;
        const res = await callAction(server, 'chat:total_unread', { args }, { apiKey: server.config.apiKey, accessToken: token(alice) });
        expect(res.status).toBe(200);
        expect(res.json.result).toEqual({ conversation: expect.any(Number), message: expect.any(Number) });
      }),
      { numRuns: RUNS, seed: 20251125 },
    );
    await expectHealthyAndUnchanged(before);
  }, 60_000);
});

describe('well-formed arguments that point at the wrong thing get 102/108/110 and change nothing', () => {
  const cases = (): Array<[string, unknown, number]> => [
    ['chat:add_participants', [randomUUID(), [bob.id]], 110],
    ['chat:add_participants', [conv, [randomUUID()]], 108], // unknown user
    ['chat:add_participants', [carolsConv, [alice.id]], 102],
    ['chat:remove_participants', [carolsConv, [carol.id]], 102],
    ['chat:add_admins', [conv, [randomUUID()]], 108], // unknown user
    ['chat:add_admins', [carolsConv, [alice.id]], 102],
    ['chat:remove_admins', [conv, [alice.id]], 108], // the last admin
    ['chat:leave_conversation', [carolsConv], 102],
    ['chat:delete_conversation', [randomUUID()], 110],
    ['chat:get_conversation', [carolsConv], 102],
    ['chat:get_messages', [carolsConv, 10], 102],
    ['chat:get_messages', [conv, 10, null, null, randomUUID()], 108], // cursor not in the conversation
    ['chat:get_messages', [conv, 10, new Date().toISOString(), null, message], 108], // both cursor kinds
    ['chat:mark_as_read', [[randomUUID()]], 110],
    ['chat:mark_as_delivered', [[message, randomUUID()]], 110],
    ['chat:get_receipt', [randomUUID()], 110],
    ['chat:typing', [carolsConv, 'begin'], 102],
    ['chat:create_conversation', [[randomUUID()], 't'], 108], // unknown participant
    ['chat:create_conversation', [[bob.id], 't'.repeat(501)], 108], // title bound
    ['chat:create_conversation', [[bob.id], 't', { big: 'm'.repeat(16 * 1024) }], 108], // metadata bound
    ['chat:delete_message', [randomUUID()], 110],
    ['chat:delete_message', [carolsMessage], 102],
  ];
  test('as a member of another conversation', async () => {
    const before = await chatSnapshot(server.db);
    for (const [lambda, args, code] of cases()) {
      malformedTotal++;
      const res = await callAction(server, lambda, { args }, { apiKey: server.config.apiKey, accessToken: token(alice) });
      expectSkygearError(res, [code], { lambda, args });
    }
    await expectHealthyAndUnchanged(before);
  });

  test('get_messages_by_ids silently drops ids the caller may not see', async () => {
    const res = await callAction(server, 'chat:get_messages_by_ids', { args: [[randomUUID(), message]] }, { apiKey: server.config.apiKey, accessToken: token(carol) });
    expect(res.status).toBe(200);
    expect(res.json.result.results).toEqual([]);
  });
});

describe('malformed request bodies', () => {
  test('non-JSON and non-object bodies get BadRequest (107) and the server stays up', async () => {
    const before = await chatSnapshot(server.db);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 30 }).map((s) => `{${s}`), fc.constantFrom('[]', '42', '"x"', 'null', 'true', '[{"action":"chat:get_messages"}]')),
        async (body) => {
          malformedTotal++;
          const res = await rawRequest(server, '/chat/get_messages', {
            body,
            headers: { 'X-Skygear-API-Key': server.config.apiKey, 'X-Skygear-Access-Token': token(alice) },
          });
          expectSkygearError(res, [107, 108], body);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
    await expectHealthyAndUnchanged(before);
  }, 60_000);
});

// ---------------------------------------------------------------- records through record:save
async function saveRaw(user: ChatUser, record: Record<string, unknown>, databaseId = '_public'): Promise<RawResponse> {
  return callAction(server, 'record:save', { database_id: databaseId, records: [record] }, { apiKey: server.config.apiKey, accessToken: token(user) });
}

/** A refused single-record save: 200 with a per-record error item, or an error envelope. */
function expectRecordRefused(res: RawResponse, codes: number[], what: unknown): void {
  const item = Array.isArray(res.json?.result) ? res.json.result[0] : undefined;
  const err = item?._type === 'error' ? item : res.json?.error;
  const ok = res.status < 500 && err && codes.includes(err.code);
  if (!ok) throw new Error(`expected record error ${codes.join('/')} for ${JSON.stringify(what)}, got HTTP ${res.status} ${res.text.slice(0, 400)}`);
}

const ref = (type: string, id: string) => ({ $type: 'ref', $id: `${type}/${id}` });
const badRef = (type: string) =>
  fc.oneof(
    fc.integer(),
    fc.boolean(),
    junkObject,
    fc.constantFrom('user', 'message', 'conversation').filter((t) => t !== type).map((t) => ref(t, randomUUID())),
    fc.constant({ $type: 'ref', $id: '' }),
  );

describe('malformed records at every hooked record type are refused and change nothing', () => {
  const recordCases = (): Record<string, { user: () => ChatUser; record: fc.Arbitrary<Record<string, unknown>>; codes: number[] }> => ({
    'new conversation': {
      user: () => alice,
      record: fc.oneof(
        badIdList('user').map((v) => ({ participant_ids: v })),
        fc.constant({ participant_ids: [`user/${bob.id}`] }),
        fc.constant({ participant_ids: [randomUUID()] }),
        badString.map((v) => ({ participant_ids: [bob.id], title: v })),
        badObject.map((v) => ({ participant_ids: [bob.id], metadata: v })),
        badBoolean.map((v) => ({ participant_ids: [bob.id], distinct_by_participants: v })),
        fc.constant({ participant_ids: [bob.id], admin_ids: [carol.id] }),
      ).map((fields) => ({ _id: `conversation/${randomUUID()}`, _access: null, ...fields })),
      codes: [108],
    },
    'conversation update by its admin': {
      user: () => alice,
      record: fc.oneof(
        badIdList('user').map((v) => ({ participant_ids: v })),
        badIdList('user').map((v) => ({ admin_ids: v })),
        badString.map((v) => ({ title: v })),
        badObject.map((v) => ({ metadata: v })),
        fc.constant({ admin_ids: [] }),
        fc.constant({ admin_ids: [carol.id] }),
      ).map((fields) => ({ _id: `conversation/${conv}`, ...fields })),
      codes: [108],
    },
    'conversation update by a non-admin': {
      user: () => bob,
      record: fc.oneof(fc.constant({ admin_ids: [alice.id, 'BOB'] }), fc.string().map((t) => ({ title: t })), fc.constant({ participant_ids: [bob.id] })).map((fields) => ({
        _id: `conversation/${conv}`,
        ...fields,
      })),
      codes: [102, 108],
    },
    'new message': {
      user: () => bob,
      record: fc.oneof(
        fc.constant({}),
        badRef('conversation').map((v) => ({ conversation_id: v })),
        badString.map((v) => ({ conversation_id: ref('conversation', conv), body: v })),
        badObject.map((v) => ({ conversation_id: ref('conversation', conv), metadata: v })),
        fc.integer().map((v) => ({ conversation_id: ref('conversation', conv), seq: v })),
        fc.constant({ conversation_id: ref('conversation', conv), deleted: true }),
        fc.constant({ conversation_id: ref('conversation', randomUUID()) }),
        fc.constant({ conversation_id: ref('conversation', carolsConv) }),
        // The 1.x name (chat-api.md §6): malformed, or naming another conversation than conversation_id.
        badRef('conversation').map((v) => ({ conversation: v })),
        fc.constant({ conversation_id: ref('conversation', conv), conversation: ref('conversation', carolsConv) }),
        fc.constant({ conversation: ref('conversation', carolsConv) }),
        // Bounds (chat-api.md §2).
        fc.constant({ conversation: ref('conversation', conv), body: 'é'.repeat(32 * 1024 + 1) }),
        fc.constant({ conversation_id: ref('conversation', conv), metadata: { big: 'm'.repeat(16 * 1024) } }),
      ).map((fields) => ({ _id: `message/${randomUUID()}`, _access: null, body: 'b', ...fields })),
      codes: [102, 108, 110],
    },
    'message edit by its author': {
      user: () => alice,
      record: fc.oneof(
        badString.map((v) => ({ body: v })),
        badObject.map((v) => ({ metadata: v })),
        fc.integer({ min: 1_000_000 }).map((v) => ({ seq: v })),
        fc.constant({ deleted: true }),
        fc.constant({ conversation: ref('conversation', carolsConv) }),
        fc.constant({ conversation_id: ref('conversation', randomUUID()) }),
        badRef('conversation').map((v) => ({ conversation: v })),
        fc.constant({ body: 'x'.repeat(64 * 1024 + 1) }),
      ).map((fields) => ({ _id: `message/${message}`, ...fields })),
      // 108; in the other database it is a new message whose id is taken (109), refused first by
      // the send's own checks (102/110)
      codes: [102, 108, 109, 110],
    },
    'message edit by another member': {
      user: () => bob,
      record: fc.string().map((body) => ({ _id: `message/${message}`, body, conversation_id: ref('conversation', conv) })),
      codes: [102, 109],
    },
    "own user_conversation": {
      user: () => bob,
      record: fc.oneof(
        fc.integer({ min: 1, max: 1000 }).map((n) => ({ unread_count: n })),
        badRef('message').map((v) => ({ last_read_message: v })),
        fc.constant({ last_read_message: ref('message', randomUUID()) }),
        fc.constant({ user: ref('user', alice.id) }),
        fc.constant({ conversation: ref('conversation', carolsConv) }),
      ).map((fields) => ({
        _id: `user_conversation/${userConversationId(conv, bob.id)}`,
        user: ref('user', bob.id),
        conversation: ref('conversation', conv),
        ...fields,
      })),
      codes: [108],
    },
    'new user_conversation': {
      user: () => carol,
      record: fc.constantFrom(() => conv, () => randomUUID()).map((cid) => cid()).map((c) => ({
        _id: `user_conversation/${userConversationId(c, carol.id)}`,
        user: ref('user', carol.id),
        conversation: ref('conversation', c),
        unread_count: 0,
      })),
      codes: [102, 111],
    },
    receipt: {
      user: () => bob,
      record: fc.oneof(
        fc.constant({ _id: `receipt/${receiptId(unreadMessage, bob.id)}`, message_id: ref('message', unreadMessage) }),
        badRef('user').map((v) => ({ _id: `receipt/${receiptId(unreadMessage, bob.id)}`, user_id: v, message_id: ref('message', unreadMessage) })),
        badRef('message').map((v) => ({ _id: `receipt/${receiptId(unreadMessage, bob.id)}`, user_id: ref('user', bob.id), message_id: v })),
        fc.uuid().map((id) => ({ _id: `receipt/${id}`, user_id: ref('user', bob.id), message_id: ref('message', message) })),
        fc.uuid().map((m) => ({ _id: `receipt/${receiptId(m, bob.id)}`, user_id: ref('user', bob.id), message_id: ref('message', m) })),
        fc.constant({ _id: `receipt/${receiptId(message, carol.id)}`, user_id: ref('user', carol.id), message_id: ref('message', message) }),
      ).map((fields) => ({ read_at: { $type: 'date', $date: new Date().toISOString() }, ...fields })),
      codes: [102, 108, 110],
    },
  });
  const names = [
    'new conversation', 'conversation update by its admin', 'conversation update by a non-admin', 'new message',
    'message edit by its author', 'message edit by another member', 'own user_conversation', 'new user_conversation', 'receipt',
  ];
  test.each(names)('%s', async (name) => {
    const c = recordCases()[name];
    const before = await chatSnapshot(server.db);
    await fc.assert(
      fc.asyncProperty(c.record, fc.constantFrom('_public', '_private'), async (record, db) => {
        malformedTotal++;
        const res = await saveRaw(c.user(), record, name.includes('message') || name === 'receipt' ? db : '_public');
        // 114: a value the column's type cannot hold is refused by the server before any hook.
        expectRecordRefused(res, [...c.codes, 114], record);
      }),
      { numRuns: name === 'message edit by another member' || name === 'new user_conversation' ? 30 : RUNS, seed: 4242 },
    );
    await expectHealthyAndUnchanged(before);
  }, 60_000);
});

afterAll(() => {
  // The figure docs/reliability.md reports.
  process.stdout.write(`fuzz: ${malformedTotal} malformed inputs\n`);
});
