import { assetSignature } from '../../../src/server/assets/signer';
import { loadConfig } from '../../../src/server/core/config';
import { callAction, rawRequest } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function assetPut(filename: string, contentType: string, size: number) {
  const res = await callAction(server, 'asset:put', { filename, 'content-type': contentType, 'content-size': size }, { apiKey: server.config.apiKey });
  expect(res.status).toBe(200);
  return res.json.result as { 'post-request': { action: string }; asset: { $name: string; $url: string; $content_type: string } };
}

async function uploadMultipart(action: string, bytes: Buffer, opts: { field?: string; apiKey?: string } = {}) {
  const form = new FormData();
  form.append(opts.field ?? 'file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), 'upload.bin');
  const res = await fetch(server.url + action, {
    method: 'POST',
    headers: { 'X-Skygear-API-Key': opts.apiKey ?? server.config.apiKey },
    body: form,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, json: await res.json() };
}

/** GET a URL relative to the server, returning status, headers and bytes. */
async function download(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('asset:put and the upload', () => {
  it('registers the asset, accepts the multipart upload and serves the bytes at the signed URL', async () => {
    const bytes = Buffer.from('hello, asset');
    const put = await assetPut('photos/hello world.txt', 'text/plain', 99);
    const name = put.asset.$name;
    expect(name).toMatch(/^[0-9a-f-]{36}-hello_world\.txt$/);
    expect(put['post-request']).toEqual({ action: `/files/${name}` });
    expect(put.asset).toMatchObject({ $type: 'asset', $name: name, $content_type: 'text/plain' });
    const url = new URL(put.asset.$url);
    expect(url.origin + url.pathname).toBe(`${server.url}/files/${name}`);
    const expiredAt = Number(url.searchParams.get('expiredAt'));
    expect(expiredAt).toBeGreaterThan(Date.now() / 1000 + 14 * 60);
    expect(url.searchParams.get('signature')).toBe(assetSignature(server.config.assetStoreSecret, name, expiredAt));

    const upload = await uploadMultipart(put['post-request'].action, bytes);
    expect(upload.status).toBe(200);
    expect(upload.json.result).toMatchObject({ $type: 'asset', $name: name, $content_type: 'text/plain' });
    const { rows } = await server.db.query(`SELECT content_type, size FROM "${server.schema}"._asset WHERE id = $1`, [name]);
    expect(rows).toEqual([{ content_type: 'text/plain', size: bytes.length }]);

    const got = await download(put.asset.$url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    expect(got.body.equals(bytes)).toBe(true);
  });

  it('validates asset:put with 108 and needs an API key', async () => {
    const missing = await callAction(server, 'asset:put', { filename: 'a.txt', 'content-size': 1 }, { apiKey: server.config.apiKey });
    expect(missing.json.error).toMatchObject({ code: 108, info: { arguments: ['content-type'] } });
    const noKey = await callAction(server, 'asset:put', { filename: 'a.txt', 'content-type': 'text/plain', 'content-size': 1 });
    expect(noKey.status).toBe(401);
  });

  it('answers 107 without a `file` part, 108 for an empty file, 401 without a key, 102 for a second upload', async () => {
    const put = await assetPut('x.bin', 'application/octet-stream', 3);
    const action = put['post-request'].action;
    expect((await uploadMultipart(action, Buffer.from('abc'), { field: 'other' })).json.error.code).toBe(107);
    expect((await uploadMultipart(action, Buffer.alloc(0))).json.error.code).toBe(108);
    expect((await uploadMultipart(action, Buffer.from('abc'), { apiKey: 'wrong' })).status).toBe(401);
    expect((await uploadMultipart(action, Buffer.from('abc'))).status).toBe(200);
    const second = await uploadMultipart(action, Buffer.from('xyz'));
    expect(second.status).toBe(403);
    expect(second.json.error.code).toBe(102);
    expect((await download(put.asset.$url)).body.toString()).toBe('abc');
  });

  it('accepts a raw PUT, registering an unknown name as <uuid>-<name>', async () => {
    const res = await rawRequest(server, '/files/notes.md', {
      method: 'PUT',
      body: '# hi',
      headers: { 'Content-Type': 'text/markdown', 'X-Skygear-API-Key': server.config.apiKey },
    });
    expect(res.status).toBe(200);
    expect(res.json.result.$name).toMatch(/^[0-9a-f-]{36}-notes\.md$/);
    const got = await download(res.json.result.$url);
    expect(got.headers.get('content-type')).toBe('text/markdown');
    expect(got.body.toString()).toBe('# hi');
  });
});

describe('downloads', () => {
  let name: string;
  const bytes = Buffer.from('0123456789');

  beforeAll(async () => {
    const put = await assetPut('digits.txt', 'text/plain', bytes.length);
    name = put.asset.$name;
    await uploadMultipart(put['post-request'].action, bytes);
  });

  const signedPath = (expiredAt: number, signature = assetSignature(server.config.assetStoreSecret, name, expiredAt)) =>
    `${server.url}/files/${name}?expiredAt=${expiredAt}&signature=${encodeURIComponent(signature)}`;
  const later = () => Math.floor(Date.now() / 1000) + 600;

  it('refuses a bad signature with 401 / 106', async () => {
    const res = await download(signedPath(later(), 'AAAA'));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body.toString()).error.code).toBe(106);
  });

  it('refuses an expired URL with 403 / 102, even when correctly signed', async () => {
    const res = await download(signedPath(Math.floor(Date.now() / 1000) - 60));
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString()).error).toMatchObject({ code: 102, message: 'Access denied' });
  });

  it('refuses a missing or non-integer expiredAt with 400 / 108', async () => {
    for (const url of [`${server.url}/files/${name}`, `${server.url}/files/${name}?expiredAt=soon&signature=x`]) {
      const res = await download(url);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString()).error.code).toBe(108);
    }
  });

  it('serves byte ranges with 206 and refuses a start beyond the end with 416', async () => {
    const part = await download(signedPath(later()), { Range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 2-5/${bytes.length}`);
    expect(part.body.toString()).toBe('2345');
    const suffix = await download(signedPath(later()), { Range: 'bytes=-3' });
    expect(suffix.body.toString()).toBe('789');
    const beyond = await download(signedPath(later()), { Range: 'bytes=50-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
  });

  it('serves suffix and open ranges, clamps an end past the file, and answers 416 to what no byte satisfies', async () => {
    const ranged = async (range: string) => download(signedPath(later()), { Range: range });
    const suffix = await ranged('bytes=-4');
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes 6-9/${bytes.length}`);
    expect(suffix.body.toString()).toBe('6789');
    const open = await ranged('bytes=5-');
    expect(open.status).toBe(206);
    expect(open.headers.get('content-range')).toBe(`bytes 5-9/${bytes.length}`);
    expect(open.body.toString()).toBe('56789');
    const clamped = await ranged('bytes=5-100');
    expect(clamped.headers.get('content-range')).toBe(`bytes 5-9/${bytes.length}`);
    expect(clamped.body.toString()).toBe('56789');
    // A suffix longer than the file and a backwards range are 416 too: @fastify/send's reading
    // (RFC 9110 would serve the whole file for both).
    for (const unsatisfiable of ['bytes=10-', 'bytes=10-20', 'bytes=-30', 'bytes=5-2']) {
      const res = await ranged(unsatisfiable);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    }
    // Other units and several ranges get the whole file.
    for (const whole of ['items=0-1', 'bytes=0-1,5-6']) {
      const res = await ranged(whole);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('0123456789');
    }
    expect((await download(signedPath(later()))).headers.get('accept-ranges')).toBe('bytes');
  });

  it('answers a conditional GET with 304 from the ETag the download carried', async () => {
    const first = await download(signedPath(later()));
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // fetch adds `Cache-Control: no-cache` to a conditional request unless one is given, and no-cache means "send it all".
    const again = await download(signedPath(later()), { 'If-None-Match': etag!, 'Cache-Control': 'max-age=0' });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('answers 404 for an unknown asset and refuses names that climb out of the store', async () => {
    const unknown = await download(`${server.url}/files/nope.txt?expiredAt=${later()}&signature=${assetSignature(server.config.assetStoreSecret, 'nope.txt', later())}`);
    expect(unknown.status).toBe(404);
    for (const path of ['/files/..%2F..%2Fetc%2Fpasswd', '/files/a/../../b', '/files/%2e%2e/x']) {
      const res = await rawRequest(server, path, { method: 'GET' });
      expect([400, 404]).toContain(res.status);
      expect(res.json.error.code).toBeGreaterThan(100);
    }
  });

  it('signs URLs for ASSET_STORE_URL_EXPIRE_DURATION seconds, and refuses them with 403 once that has passed', async () => {
    const short = await startTestServer({ env: { ASSET_STORE_URL_EXPIRE_DURATION: '2' } });
    try {
      const put = await callAction(short, 'asset:put', { filename: 's.txt', 'content-type': 'text/plain', 'content-size': 1 }, { apiKey: short.config.apiKey });
      const url = new URL(put.json.result.asset.$url);
      const expiredAt = Number(url.searchParams.get('expiredAt'));
      const now = Date.now() / 1000;
      expect(expiredAt).toBeGreaterThanOrEqual(Math.floor(now) + 1);
      expect(expiredAt).toBeLessThanOrEqual(Math.ceil(now) + 2);
      // The download check compares whole seconds: wait until the server's clock has passed expiredAt.
      while (Date.now() / 1000 < expiredAt + 1) await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await download(url.toString())).status).toBe(403);
    } finally {
      await short.close();
    }
  });

  it('refuses an ASSET_STORE_URL_EXPIRE_DURATION that is not a whole number of seconds', () => {
    expect(() => loadConfig({ ASSET_STORE_URL_EXPIRE_DURATION: '15m' })).toThrow(/ASSET_STORE_URL_EXPIRE_DURATION/);
    expect(() => loadConfig({ ASSET_STORE_URL_EXPIRE_DURATION: '0' })).toThrow(/ASSET_STORE_URL_EXPIRE_DURATION/);
    expect(loadConfig({}).assetStoreUrlExpirySeconds).toBe(15 * 60);
  });

  it('serves unsigned URLs when the store is public', async () => {
    const pub = await startTestServer({ env: { ASSET_STORE_PUBLIC: 'true' } });
    try {
      const res = await callAction(pub, 'asset:put', { filename: 'p.txt', 'content-type': 'text/plain', 'content-size': 1 }, { apiKey: pub.config.apiKey });
      expect(res.json.result.asset.$url).toBe(`${pub.server.endpoint.assetUrlPrefix}/${res.json.result.asset.$name}`);
    } finally {
      await pub.close();
    }
  });
});
