
/**
 * Typed values (`{"$type": …}`, Part A §4.2) in every lambda's arguments and every record type's
 * fields, well formed and broken, nested at any depth; and nesting itself bounded. A broken value
 * is 108 naming where it is, before any cloud code sees it; nothing answers 5xx or 10000, nothing
 * changes, and the server keeps answering.
 */
import fc from 'fast-check';
import { closeAllClients } from '../support/client';
import { callAction, rawRequest, type RawResponse } from '../support/http';
import type { TestServer } from '../support/server';
import { type ChatUser, signupUsers, startChatServer } from '../plugin/support';
import { chatSnapshot, snapshotDiff } from './chat-state';
import { malformedTypedValue, nested, plainFiller, wellFormedTypedValue } from './typed-value-arbitraries';

const RUNS = 60;
let server: TestServer;
let alice: ChatUser;
let bob: ChatUser;
let conv: string;
let total = 0;

beforeAll(async () => {
  server = await startChatServer();
  [alice, bob] = await signupUsers(server, 2, 'typed');
  conv = await alice.createConversation([bob], 'typed');
  await alice.send(conv, 'hello');
}, 60_000);

afterAll(async () => {
  closeAllClients();
  await server?.close();
  process.stdout.write(`typed values: ${total} inputs\n`);
});

const asAlice = (action: string, body: Record<string, unknown>) =>
  callAction(server, action, body, { apiKey: server.config.apiKey, accessToken: alice.client.auth.accessToken });

function neverServerError(res: RawResponse, what: unknown): void {
  const code = res.json?.error?.code;
  const items = Array.isArray(res.json?.result) ? res.json.result : [];
  if (res.status >= 500 || code === 10000 || items.some((i: any) => i?._type === 'error' && i.code === 10000)) {
    throw new Error(`server error for ${JSON.stringify(what).slice(0, 300)}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  }
}

function expect108At(res: RawResponse, argument: string, what: unknown): void {
  const item = Array.isArray(res.json?.result) ? res.json.result[0] : undefined;
  const err = item?._type === 'error' ? item : res.json?.error;
  const ok = res.status < 500 && err?.code === 108 && err.info?.arguments?.[0] === argument && String(err.message).includes(argument);
  if (!ok) throw new Error(`expected 108 naming ${argument} for ${JSON.stringify(what).slice(0, 300)}, got HTTP ${res.status} ${res.text.slice(0, 300)}`);
}

async function expectHealthyAndUnchanged(before: Awaited<ReturnType<typeof chatSnapshot>>): Promise<void> {
  expect((await rawRequest(server, '/_status/healthz', { method: 'GET' })).status).toBe(200);
  expect((await asAlice('chat:total_unread', {})).status).toBe(200);
  expect(snapshotDiff(before, await chatSnapshot(server.db))).toEqual([]);
}

/** Every lambda the server serves (from its router: a new lambda is covered without an edit here). */
const lambdas = (): string[] => server.server.router.list().map((d) => d.name).filter((n) => !server.server.router.isBuiltin(n));

/** Real parameter names of the chat lambdas, so named arguments hit the decoding of real ones. */
const NAMES = ['conversation_id', 'message_ids', 'message_id', 'participant_ids', 'participants', 'admin_ids', 'title', 'metadata', 'options', 'limit', 'before_time', 'event', 'at'];

/** args holding `inner` at one position (positional) or under one name, among plain values; and the path there. */
const argsAround = (inner: fc.Arbitrary<{ value: unknown; path: string }>) =>
  fc.tuple(inner, fc.array(plainFiller, { maxLength: 4 }), fc.nat(4), fc.boolean(), fc.constantFrom(...NAMES)).map(([n, fillers, at, named, name]) => {
    if (named) return { args: { ...Object.fromEntries(fillers.map((f, i) => [`p${i}`, f])), [name]: n.value }, path: `args.${name}${n.path}` };
    const i = Math.min(at, fillers.length);
    const args = [...fillers];
    args.splice(i, 0, n.value);
    return { args, path: `args[${i}]${n.path}` };
  });

describe('lambda arguments', () => {
  it('lists every lambda, the chat ones included', () => {
    expect(lambdas()).toEqual(expect.arrayContaining(['chat:create_conversation', 'chat:get_messages', 'chat:typing', 'chat:total_unread']));
  });

  it('a broken $type value anywhere in any lambda\'s arguments is 108 naming its path, and changes nothing', async () => {
    const before = await chatSnapshot(server.db);
    for (const lambda of lambdas()) {
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(malformedTypedValue, fc.nat()).chain(([broken]) =>
            argsAround(nested(fc.constant(broken.value))).map((a) => ({ ...a, argument: `${a.path}.${broken.member}` })),
          ),
          async ({ args, argument }) => {
            total++;
            expect108At(await asAlice(lambda, { args }), argument, { lambda, args });
          },
        ),
        { numRuns: RUNS, seed: 16 },
      );
    }
    await expectHealthyAndUnchanged(before);
  }, 180_000);

  it('well-formed typed values anywhere in any lambda\'s arguments never get a server error', async () => {
    for (const lambda of lambdas()) {
      await fc.assert(
        fc.asyncProperty(argsAround(nested(wellFormedTypedValue)), async ({ args }) => {
          total++;
          neverServerError(await asAlice(lambda, { args }), { lambda, args });
        }),
        { numRuns: RUNS / 2, seed: 17 },
      );
    }
    expect((await rawRequest(server, '/_status/healthz', { method: 'GET' })).status).toBe(200);
  }, 180_000);

  it('the values the issue probed by hand, as the only argument: 108, not 500/10000', async () => {
    const probes = [{ $type: 'record' }, { $type: 'ref' }, { $type: 'ref', $id: 5 }, { $type: 'asset' }, { $type: 'geo', $lat: 'x' }];
    for (const lambda of lambdas()) {
      for (const probe of probes) {
        const member = probe.$type === 'record' ? '$record' : probe.$type === 'ref' ? '$id' : probe.$type === 'asset' ? '$name' : '$lat';
        expect108At(await asAlice(lambda, { args: [probe] }), `args[0].${member}`, { lambda, probe });
        expect108At(await asAlice(lambda, { args: { conversation_id: probe } }), `args.conversation_id.${member}`, { lambda, probe });
        total += 2;
      }
    }
  }, 120_000);
});

describe('record fields', () => {
  const types = (): Record<string, () => Record<string, unknown>> => ({
    conversation: () => ({ _id: `conversation/${crypto.randomUUID()}`, participant_ids: [bob.id], admin_ids: [alice.id] }),
    message: () => ({ _id: `message/${crypto.randomUUID()}`, body: 'b', conversation_id: { $type: 'ref', $id: `conversation/${conv}` } }),
    user_conversation: () => ({ _id: `user_conversation/${crypto.randomUUID()}` }),
    receipt: () => ({ _id: `receipt/${crypto.randomUUID()}` }),
    user_channel: () => ({ _id: `user_channel/${crypto.randomUUID()}`, name: crypto.randomUUID() }),
    note: () => ({ _id: `note/${crypto.randomUUID()}`, title: 'n' }),
  });

  it.each(['conversation', 'message', 'user_conversation', 'receipt', 'user_channel', 'note'])(
    '%s: a broken $type value nested in a field is 108 naming it, and changes nothing',
    async (type) => {
      const before = await chatSnapshot(server.db);
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(malformedTypedValue, fc.integer({ min: 1, max: 6 })).chain(([broken, depth]) =>
            nested(fc.constant(broken.value), depth)
              .filter((n) => n.path !== '')
              .map((n) => ({ value: n.value, argument: `metadata${n.path}.${broken.member}` })),
          ),
          async ({ value, argument }) => {
            total++;
            const record = { ...types()[type](), metadata: value };
            expect108At(await asAlice('record:save', { records: [record] }), argument, record);
          },
        ),
        { numRuns: RUNS / 2, seed: 18 },
      );
      await expectHealthyAndUnchanged(before);
    },
    60_000,
  );

  it.each(['conversation', 'message', 'note'])('%s: any value, typed or not, at the top of a field or nested, never gets a server error', async (type) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          wellFormedTypedValue,
          malformedTypedValue.map((b) => b.value),
          nested(fc.oneof(wellFormedTypedValue, malformedTypedValue.map((b) => b.value))).map((n) => n.value),
        ),
        fc.constantFrom('metadata', 'extra', 'title'),
        async (value, field) => {
          total++;
          const record = { ...types()[type](), [field]: value };
          neverServerError(await asAlice('record:save', { records: [record] }), record);
        },
      ),
      { numRuns: RUNS, seed: 19 },
    );
  }, 60_000);
});

describe('nesting is bounded', () => {
  const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
  const deepObject = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  const send = (action: string, rawBody: string) =>
    rawRequest(server, '/' + action.replace(/:/g, '/'), {
      body: rawBody,
      headers: { 'X-Skygear-API-Key': server.config.apiKey, 'X-Skygear-Access-Token': alice.client.auth.accessToken },
    });

  it('a predicate, a record value and lambda arguments nested 100,000 levels deep: 108 naming the field', async () => {
    const query = await send('record:query', `{"record_type":"note","predicate":${deepArray(100_000)}}`);
    expect([query.status, query.json?.error?.code, query.json?.error?.info?.arguments]).toEqual([400, 108, ['predicate']]);
    expect(query.json.error.message).toMatch(/nested deeper than 100 levels/);

    const save = await send('record:save', `{"records":[{"_id":"note/deep","v":${deepObject(100_000)}}]}`);
    expect([save.status, save.json?.error?.code, save.json?.error?.info?.arguments]).toEqual([400, 108, ['records']]);

    const lambda = await send('chat:get_messages', `{"args":${deepArray(100_000)}}`);
    expect([lambda.status, lambda.json?.error?.code, lambda.json?.error?.info?.arguments]).toEqual([400, 108, ['args']]);
    expect((await rawRequest(server, '/_status/healthz', { method: 'GET' })).status).toBe(200);
  });

  it('100 levels of arrays and objects under a body field are fine; 101 are not', async () => {
    // records (1) → the record (2) → v: 98 more objects = 100 levels.
    const ok = await send('record:save', `{"records":[{"_id":"note/${crypto.randomUUID()}","v":${deepObject(98)}}]}`);
    expect(ok.status).toBe(200);
    expect(ok.json.result[0]._type).not.toBe('error');
    const tooDeep = await send('record:save', `{"records":[{"_id":"note/${crypto.randomUUID()}","v":${deepObject(99)}}]}`);
    expect(tooDeep.json?.error?.code).toBe(108);
  });
});
