import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { call, lambda } from './api';

export interface BenchUser {
  id: string;
  token: string;
}

/** A pg pool on the bench app's schema, for seeding and checks (not for the measured paths). */
export function benchPool(databaseUrl: string, schema: string, max = 4): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, options: `-c search_path=${schema},public` });
}

/**
 * `n` users with a valid access token each. One user signs up through the real API (so every row a
 * signup writes exists in its real shape); the rest are set-based copies of that user's _auth,
 * user record and role rows with new ids, each with its own token. (Signing up thousands of users
 * through the API would spend minutes in bcrypt, which is not what this benchmark measures.)
 */
export async function seedUsers(baseUrl: string, pool: pg.Pool, n: number, prefix: string): Promise<BenchUser[]> {
  const template = await call(baseUrl, 'auth:signup', { auth_data: { username: `${prefix}_template_${randomUUID().slice(0, 8)}` }, password: 'bench-password' });
  const templateId: string = template.user_id;
  const users: BenchUser[] = [{ id: templateId, token: template.access_token }];
  if (n <= 1) return users;
  const ids = Array.from({ length: n - 1 }, () => randomUUID());
  const tokens = ids.map(() => randomUUID());
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO _auth (id, password, provider_info, token_valid_since, last_seen_at, disabled)
       SELECT x.id, a.password, a.provider_info, a.token_valid_since, a.last_seen_at, false
         FROM _auth a, unnest($2::text[]) AS x(id) WHERE a.id = $1`,
      [templateId, ids],
    );
    await client.query(
      `INSERT INTO "user" (_id, _database_id, _owner_id, _access, _created_at, _created_by, _updated_at, _updated_by, username, email)
       SELECT x.id, u._database_id, x.id, u._access, u._created_at, x.id, u._updated_at, x.id, $3 || '_' || substr(md5(random()::text), 1, 8) || '_' || x.ord, NULL
         FROM "user" u, unnest($2::text[]) WITH ORDINALITY AS x(id, ord) WHERE u._id = $1`,
      [templateId, ids, prefix],
    );
    await client.query(
      `INSERT INTO _auth_role (auth_id, role_id) SELECT x.id, r.role_id FROM _auth_role r, unnest($2::text[]) AS x(id) WHERE r.auth_id = $1`,
      [templateId, ids],
    );
    await client.query(
      `INSERT INTO _access_token (token, auth_id, issued_at)
       SELECT t.token, t.id, (now() AT TIME ZONE 'UTC') FROM unnest($1::text[], $2::text[]) AS t(token, id)`,
      [tokens, ids],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
  ids.forEach((id, i) => users.push({ id, token: tokens[i] }));
  return users;
}

/** chat:create_conversation by `creator` with `others`; returns the bare conversation id. */
export async function createConversation(baseUrl: string, creator: BenchUser, others: BenchUser[], title: string): Promise<string> {
  const res = await lambda(baseUrl, creator.token, 'chat:create_conversation', [others.map((o) => o.id), title, {}, {}]);
  const id: string = res.conversation._id;
  return id.slice(id.indexOf('/') + 1);
}

/** Each user saves a user_channel record in their private database (as the chat JS SDK does). */
export async function createChannels(baseUrl: string, users: BenchUser[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < users.length; i += 20) {
    await Promise.all(
      users.slice(i, i + 20).map(async (u) => {
        const name = randomUUID();
        await call(baseUrl, 'record:save', { database_id: '_private', records: [{ _id: `user_channel/${randomUUID()}`, _access: null, name }] }, u.token);
        out.set(u.id, name);
      }),
    );
  }
  return out;
}
