
import http from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * Raw HTTP calls with the exact request the unmodified skygear 1.7.2 JS client sends
 * (skygear-core container.js `_prepareRequestObject` / `_prepareRequestData`): POST <endPoint><action
 * with ':' → '/'>, headers X-Skygear-API-Key / X-Skygear-Access-Token / X-Skygear-SDK-Version, and
 * the body {access_token, action, api_key, …data}. A keep-alive agent, as a browser would reuse
 * connections. We skip the client's own JS (superagent, record (de)serialisation) so the load
 * generator, which shares the machine's two cores with the server, stays cheap.
 */
export const API_KEY = 'bench-api-key';
export const MASTER_KEY = 'bench-master-key';

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export class ApiError extends Error {
  constructor(readonly body: any) {
    super(JSON.stringify(body?.error ?? body));
  }
}

export function call(baseUrl: string, action: string, data: Record<string, unknown>, token?: string): Promise<any> {
  const body = JSON.stringify({ ...(token ? { access_token: token } : {}), action, api_key: API_KEY, ...data });
  const url = new URL(`${baseUrl}/${action.replace(/:/g, '/')}`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Skygear-API-Key': API_KEY,
          'X-Skygear-SDK-Version': 'skygear-SDK-JS/1.7.2',
          ...(token ? { 'X-Skygear-Access-Token': token } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: any;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return reject(new Error(`non-JSON response ${res.statusCode}`));
          }
          if (parsed.error) return reject(new ApiError(parsed));
          resolve(parsed.result);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The client's `publicDB.save(new Message({body, conversation_id: new Reference(...), metadata: {}}))`. */
export async function sendMessage(baseUrl: string, token: string, conversationId: string, body: string): Promise<string> {
  const id = `message/${randomUUID()}`;
  const result = await call(
    baseUrl,
    'record:save',
    { database_id: '_public', records: [{ _id: id, _access: null, body, conversation_id: { $id: `conversation/${conversationId}`, $type: 'ref' }, metadata: {} }] },
    token,
  );
  const item = result?.[0];
  if (!item || item._type === 'error') throw new ApiError(item);
  return id;
}

/** `container.lambda(name, args)`. */
export const lambda = (baseUrl: string, token: string, name: string, args: unknown): Promise<any> => call(baseUrl, name, { args }, token);

export function closeAgent(): void {
  agent.destroy();
}
