import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rawRequest } from '../../support/http';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-test-'));
  await fs.mkdir(path.join(root, 'demo', 'css'), { recursive: true });
  await fs.writeFile(path.join(root, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  await fs.writeFile(path.join(root, 'demo', 'app.js'), 'console.log(1);');
  await fs.writeFile(path.join(root, 'demo', 'css', 'style.css'), 'body{}');
  await fs.writeFile(path.join(root, 'secret.txt'), 'do not serve');
  server = await startTestServer({ env: { DEMO_DIR: path.join(root, 'demo') } });
});

afterAll(async () => {
  await server?.close();
  await fs.rm(root, { recursive: true, force: true });
});

const get = (p: string) => rawRequest(server, p, { method: 'GET' });

describe('GET /demo/…', () => {
  it('serves index.html for the directory and redirects /demo to /demo/', async () => {
    const index = await get('/demo/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.text).toContain('<title>demo</title>');
    const redirect = await fetch(server.url + '/demo', { redirect: 'manual' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/demo/');
  });

  it('serves files with their content types and lengths', async () => {
    const js = await get('/demo/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('content-length')).toBe(String('console.log(1);'.length));
    expect((await get('/demo/css/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves the unmodified skygear browser bundle at /demo/vendor/skygear.js', async () => {
    const res = await get('/demo/vendor/skygear.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bundle = await fs.readFile(require.resolve('skygear/dist/skygear.min.js'), 'utf8');
    expect(res.text).toBe(bundle);
  });

  it('answers 404 for missing files and never serves outside the demo directory', async () => {
    expect((await get('/demo/missing.js')).status).toBe(404);
    for (const p of ['/demo/..%2fsecret.txt', '/demo/%2e%2e/secret.txt', '/demo/css/..%2f..%2fsecret.txt']) {
      const res = await get(p);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('do not serve');
    }
  });
});
