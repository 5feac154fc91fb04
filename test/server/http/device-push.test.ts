import { closeAllClients, newClient, signupClient } from '../../support/client';
import { rejectionOf } from '../../support/errors';
import { callAction } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => closeAllClients());
afterAll(async () => {
  await server?.close();
});

const devices = async (userId: string) =>
  (await server.db.query(`SELECT id, auth_id, type, token, topic FROM "${server.schema}"._device WHERE auth_id = $1`, [userId])).rows;

describe('device:register / device:unregister', () => {
  it('registers a device, re-registers it under the stored id and detaches it on unregister', async () => {
    const client = await signupClient(server, 'd-alice');
    const userId = client.auth.currentUser._id;
    const id = await client.push.registerDevice('apns-token-1', 'ios', 'io.example.chat');
    expect(id).toEqual(expect.any(String));
    expect(await devices(userId)).toEqual([{ id, auth_id: userId, type: 'ios', token: 'apns-token-1', topic: 'io.example.chat' }]);

    const again = await client.push.registerDevice('apns-token-2', 'ios');
    expect(again).toBe(id); // the client sends its stored id
    expect((await devices(userId))[0].token).toBe('apns-token-2');

    await client.push.unregisterDevice();
    expect(await devices(userId)).toEqual([]);
    const { rows } = await server.db.query(`SELECT auth_id FROM "${server.schema}"._device WHERE id = $1`, [id]);
    expect(rows).toEqual([{ auth_id: null }]);
  });

  it('moves a push token to the newest registration', async () => {
    const a = await signupClient(server, 'd-bob');
    const b = await signupClient(server, 'd-carol');
    await a.push.registerDevice('shared-token', 'android');
    await b.push.registerDevice('shared-token', 'android');
    expect(await devices(a.auth.currentUser._id)).toEqual([]);
    expect(await devices(b.auth.currentUser._id)).toHaveLength(1);
  });

  it('answers 110 for an unknown id (the client then registers afresh) and 108 for a bad type', async () => {
    const client = await signupClient(server, 'd-dave');
    const token = { apiKey: server.config.apiKey, accessToken: client.auth.accessToken };
    const unknown = await callAction(server, 'device:register', { id: 'nope', type: 'ios', device_token: 't' }, token);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe(110);
    const badType = await callAction(server, 'device:register', { type: 'windows-phone', device_token: 't' }, token);
    expect(badType.json.error).toMatchObject({ code: 108, info: { arguments: ['type'] } });
    const missing = await callAction(server, 'device:unregister', {}, token);
    expect(missing.json.error).toMatchObject({ code: 108, message: 'Missing device id' });
  });

  it('needs a logged-in user', async () => {
    const client = await newClient(server);
    const err = await rejectionOf(client.push.registerDevice('t', 'ios'));
    expect(err.error.code).toBe(101);
  });
});

describe('push:user / push:device with the log provider', () => {
  const notification = { apns: { aps: { alert: 'hello' } }, gcm: { notification: { title: 'hello' } } };

  it('stores one _push_notification row per target and answers per id', async () => {
    const alice = await signupClient(server, 'p-alice');
    const aliceId = alice.auth.currentUser._id;
    const deviceId = await alice.push.registerDevice('tok-p', 'ios');
    const master = await newClient(server, { apiKey: server.config.masterKey });

    const byUser = await master.push.sendToUser([aliceId, 'no-such-user'], notification, 'io.example');
    expect(byUser).toEqual([
      { _id: aliceId },
      { _type: 'error', _id: 'no-such-user', name: 'ResourceNotFound', code: 110, message: 'user not found' },
    ]);
    const byDevice = await master.push.sendToDevice([deviceId], notification);
    expect(byDevice).toEqual([{ _id: deviceId }]);

    const { rows } = await server.db.query(
      `SELECT target, payload FROM "${server.schema}"._push_notification WHERE target IN ($1, $2) ORDER BY created_at, target`,
      [`user:${aliceId}`, `device:${deviceId}`],
    );
    expect(rows).toEqual([
      { target: `user:${aliceId}`, payload: { notification, topic: 'io.example' } },
      { target: `device:${deviceId}`, payload: { notification } },
    ]);
  });

  it('accepts the `user/<id>` ids the 1.7.2 client sends for user records', async () => {
    const bob = await signupClient(server, 'p-bob');
    const res = await callAction(server, 'push:user', { user_ids: [`user/${bob.auth.currentUser._id}`], notification }, { apiKey: server.config.masterKey });
    expect(res.json.result).toEqual([{ _id: bob.auth.currentUser._id }]);
  });

  it('requires the master key: a client key gets 401 / 102', async () => {
    const carol = await signupClient(server, 'p-carol');
    const err = await rejectionOf(carol.push.sendToUser([carol.auth.currentUser._id], notification));
    expect(err.status).toBe(401);
    expect(err.error.code).toBe(102);
  });
});
