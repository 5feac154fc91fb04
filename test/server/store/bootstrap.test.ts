import { openDriver } from '../../../src/server/db/open';
import { ensureSystemSchema, SCHEMA_VERSION } from '../../../src/server/store/schema/bootstrap';
import { openTestDb, testDatabaseUrl, type TestDb } from './support';

describe('ensureSystemSchema', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await openTestDb({ bootstrap: false });
  });
  afterEach(async () => t.close());

  const tables = async () =>
    (
      await t.db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [t.schema],
      )
    ).rows.map((r) => r.table_name);

  it('creates the system tables, seeds Admin and the version, and is idempotent', async () => {
    await ensureSystemSchema(t.db, t.schema);
    await ensureSystemSchema(t.db, t.schema);
    expect(await tables()).toEqual(
      expect.arrayContaining([
        '_access_token', '_asset', '_auth', '_auth_role', '_device', '_push_notification', '_record_creation',
        '_record_default_access', '_record_field_access', '_role', '_version', 'user',
      ]),
    );
    const roles = await t.db.query(`SELECT id, is_admin, by_default FROM "${t.schema}"._role`);
    expect(roles.rows).toEqual([{ id: 'Admin', is_admin: true, by_default: false }]);
    const version = await t.db.query(`SELECT version_num FROM "${t.schema}"._version`);
    expect(version.rows).toEqual([{ version_num: SCHEMA_VERSION }]);
  });

  it('seeds the user record\'s field ACL on a fresh install only, so a restart keeps what an admin set', async () => {
    await ensureSystemSchema(t.db, t.schema);
    const rules = async () => (await t.db.query(`SELECT record_field, user_role, writable FROM "${t.schema}"._record_field_access ORDER BY 1, 2`)).rows;
    expect(await rules()).toEqual([
      { record_field: 'email', user_role: '_any_user', writable: false },
      { record_field: 'email', user_role: '_owner', writable: true },
      { record_field: 'username', user_role: '_any_user', writable: false },
      { record_field: 'username', user_role: '_owner', writable: true },
    ]);
    await t.db.query(`DELETE FROM "${t.schema}"._record_field_access`); // what schema:field_access:update with [] does
    await ensureSystemSchema(t.db, t.schema);
    expect(await rules()).toEqual([]);
  });

  it('makes username and email unique case-insensitively on the user table', async () => {
    await ensureSystemSchema(t.db, t.schema);
    const insert = (id: string, username: string) =>
      t.db.query(
        `INSERT INTO "${t.schema}"."user" (_id, _database_id, _owner_id, _created_at, _updated_at, username)
         VALUES ($1, '', $1, now(), now(), $2)`,
        [id, username],
      );
    await insert('u1', 'Alice');
    await expect(insert('u2', 'alice')).rejects.toMatchObject({ code: '23505' });
  });

  it('links access tokens to _auth rows', async () => {
    await ensureSystemSchema(t.db, t.schema);
    await expect(
      t.db.query(`INSERT INTO "${t.schema}"._access_token (token, auth_id, issued_at) VALUES ('x', 'nobody', now())`),
    ).rejects.toMatchObject({ code: '23503' });
  });

  it('is safe when two processes bootstrap the same schema at once', async () => {
    // A second driver is a second "process" (its own pool/session); on PGlite it is a separate database.
    const other = await openDriver(testDatabaseUrl(), `${t.schema}, public`);
    const otherDb = other.kind === 'postgres' ? other : t.db;
    try {
      await Promise.all([ensureSystemSchema(t.db, t.schema), ensureSystemSchema(otherDb, t.schema), ensureSystemSchema(t.db, t.schema)]);
      const roles = await t.db.query(`SELECT count(*)::int AS n FROM "${t.schema}"._role`);
      expect(roles.rows[0]).toEqual({ n: 1 });
    } finally {
      await other.close();
    }
  });
});
