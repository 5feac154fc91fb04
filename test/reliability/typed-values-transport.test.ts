
/**
 * The same typed-value check for a plugin behind the HTTP transport (the real skygear-node running
 * the echo fixture): a broken `$type` in a lambda's arguments or in a hooked record's field is 108
 * from the host, before skygear-node's fromJSON could turn it into 10000; well-formed ones reach
 * the plugin and come back.
 */
import { callAction } from '../support/http';
import { type SkygearNode, startSkygearNode } from '../support/skygear-node';
import { startTestServer, type TestServer } from '../support/server';
import { ECHO_MODULE } from '../server/plugins/support';

let runtime: SkygearNode;
let server: TestServer;

beforeAll(async () => {
  runtime = await startSkygearNode({ module: ECHO_MODULE, appName: 'typed_values_transport' });
  server = await startTestServer({ env: runtime.serverEnv() });
}, 90_000);

afterAll(async () => {
  await server?.close();
  await runtime?.stop();
});

const asMaster = (action: string, body: Record<string, unknown>) => callAction(server, action, body, { apiKey: server.config.masterKey });

it('a broken $type in a lambda argument: 108 naming it; a well-formed one reaches the plugin', async () => {
  for (const [value, argument] of [
    [{ $type: 'record' }, 'args[1].$record'],
    [{ $type: 'ref', $id: 5 }, 'args[1].$id'],
    [{ $type: 'geo', $lat: 'x' }, 'args[1].$lat'],
  ] as const) {
    const res = await asMaster('echo:args', { args: ['ok', value] });
    expect([res.status, res.json?.error?.code, res.json?.error?.info?.arguments]).toEqual([400, 108, [argument]]);
  }
  const ok = await asMaster('echo:args', { args: ['ok', { $type: 'ref', $id: 'note/1' }] });
  expect(ok.status).toBe(200);
  expect(ok.json.result.args).toEqual(['ok', { $type: 'ref', $id: 'note/1' }]);
}, 60_000);

it('a broken $type nested in a hooked record type\'s field: 108, the plugin\'s hooks never see it', async () => {
  const res = await asMaster('record:save', { records: [{ _id: 'echo_note/bad', meta: { inner: [{ $type: 'asset' }] } }] });
  expect(res.status).toBe(200);
  expect(res.json.result[0]).toMatchObject({ _type: 'error', code: 108, info: { arguments: ['meta.inner[0].$name'] } });
}, 60_000);
