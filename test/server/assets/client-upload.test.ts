import { closeAllClients, signupClient } from '../../support/client';
import { startTestServer, type TestServer } from '../../support/server';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  closeAllClients();
  await server?.close();
});

describe('assets through the skygear client', () => {
  it('uploads an Asset saved in a record and serves it back at the signed URL the record carries', async () => {
    const client = await signupClient(server, 'asset-alice');
    const bytes = Buffer.from('%PDF-1.4 pretend document');
    const Note = client.Record.extend('note');
    const asset = new client.Asset({ name: 'report.pdf', file: bytes, contentType: 'application/pdf' });
    const saved = await client.publicDB.save(new Note({ title: 'with attachment', attachment: asset }));

    const stored = saved.attachment;
    expect(stored.name).toMatch(/^[0-9a-f-]{36}-report\.pdf$/);
    expect(stored.contentType).toBe('application/pdf');
    const { rows } = await server.db.query(`SELECT content_type, size FROM "${server.schema}"._asset WHERE id = $1`, [stored.name]);
    expect(rows).toEqual([{ content_type: 'application/pdf', size: bytes.length }]);

    // A fresh query signs a fresh URL; download it like a browser would.
    const [fetched] = await client.publicDB.query(new client.Query(Note).equalTo('_id', saved._id));
    const res = await fetch(fetched.attachment.url, { signal: AbortSignal.timeout(30_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    // Tampering with the signature is refused.
    const tampered = new URL(fetched.attachment.url);
    tampered.searchParams.set('signature', 'x' + tampered.searchParams.get('signature'));
    const bad = await fetch(tampered, { signal: AbortSignal.timeout(30_000) });
    expect(bad.status).toBe(401);
    expect((await bad.json()).error.code).toBe(106);
  });
});
