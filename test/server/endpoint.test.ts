import path from 'node:path';
import { callAction } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

/**
 * PORT=0 picks a free port when the server listens. Config stays as it was given (frozen); what
 * cloud code is told about the server (skyconfig, settings) and the asset URLs name the real port.
 */
describe('where the server listens (PORT=0)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ loadModules: [path.join(__dirname, '../fixtures/modules/endpoint-probe')] });
  });
  afterAll(() => t.close());

  it('keeps Config as given and reports the port in ServerEndpoint', () => {
    expect(Object.isFrozen(t.server.config)).toBe(true);
    expect(t.server.config.port).toBe(0);
    const port = Number(new URL(t.url).port);
    expect(port).toBeGreaterThan(0);
    expect(t.server.endpoint).toMatchObject({ url: t.url, port, assetUrlPrefix: `http://127.0.0.1:${port}/files` });
  });

  it('tells cloud code the listening port, from includeme on', async () => {
    const port = Number(new URL(t.url).port);
    const res = await callAction(t, 'probe:endpoint', {}, { apiKey: t.config.apiKey });
    expect(res.json.result).toEqual({
      atInclude: { skyconfigHost: `127.0.0.1:${port}`, assetPrefix: `http://127.0.0.1:${port}/files` },
      settingsPort: port,
      settingsEndpoint: t.url,
      settingsAssetPrefix: `http://127.0.0.1:${port}/files`,
    });
  });
});
