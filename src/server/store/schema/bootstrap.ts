import type { Driver } from '../../db/driver';
import { insertEntries, SEED_FIELD_ACCESS } from '../access/field-acl-table';
import { qualified, quoteIdent } from '../sql-ident';
import { systemColumnsDDL } from './system-columns';

/** The migration revision Go 1.7.3 writes into `_version` (Part A §10.1). */
export const SCHEMA_VERSION = '7469be11899e';

/**
 * Creates the app schema, the system tables of Part A §10.2 that this server uses and the `"user"`
 * record table. Idempotent; on PostgreSQL several server processes may start at once, so the whole
 * script runs in one transaction holding an advisory lock keyed by the schema name (CREATE … IF NOT
 * EXISTS alone races on the catalog's unique indexes). PGlite has one session, so it needs no lock.
 */
export async function ensureSystemSchema(db: Driver, schema: string): Promise<void> {
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`skygear-bootstrap:${schema}`]);
    }
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    for (const statement of systemTableStatements(schema)) await tx.query(statement);
    await tx.query(`INSERT INTO ${qualified(schema, '_role')} (id, is_admin) VALUES ('Admin', true) ON CONFLICT (id) DO NOTHING`);
    // A fresh install (no `_version` yet) starts with Go's field ACL for the user record (§5.6); an
    // existing app keeps its table as it is (an admin may have replaced it).
    const fresh = (await tx.query(`SELECT 1 FROM ${qualified(schema, '_version')} LIMIT 1`)).rows.length === 0;
    if (fresh) await insertEntries(tx, schema, SEED_FIELD_ACCESS);
    await tx.query(
      `INSERT INTO ${qualified(schema, '_version')} (version_num)
       SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM ${qualified(schema, '_version')})`,
      [SCHEMA_VERSION],
    );
  });
}

function systemTableStatements(schema: string): string[] {
  const t = (name: string) => qualified(schema, name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t('_version')} (version_num varchar(32) NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('_auth')} (
       id text PRIMARY KEY,
       password text,
       provider_info jsonb,
       token_valid_since timestamp without time zone,
       last_seen_at timestamp without time zone,
       disabled boolean NOT NULL DEFAULT false,
       disabled_message text,
       disabled_expiry timestamp without time zone)`,
    `CREATE TABLE IF NOT EXISTS ${t('_role')} (
       id text PRIMARY KEY,
       by_default boolean NOT NULL DEFAULT false,
       is_admin boolean NOT NULL DEFAULT false)`,
    `CREATE TABLE IF NOT EXISTS ${t('_auth_role')} (
       auth_id text NOT NULL REFERENCES ${t('_auth')}(id),
       role_id text NOT NULL REFERENCES ${t('_role')}(id),
       PRIMARY KEY (auth_id, role_id))`,
    `CREATE TABLE IF NOT EXISTS ${t('_asset')} (
       id text PRIMARY KEY,
       content_type text NOT NULL,
       size bigint NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${t('_device')} (
       id text PRIMARY KEY,
       auth_id text REFERENCES ${t('_auth')}(id),
       type text NOT NULL,
       token text,
       topic text,
       last_registered_at timestamp without time zone NOT NULL,
       UNIQUE (auth_id, type, token))`,
    `CREATE INDEX IF NOT EXISTS _device_token_last_registered_at_idx ON ${t('_device')} (token, last_registered_at)`,
    `CREATE TABLE IF NOT EXISTS ${t('_record_creation')} (
       record_type text NOT NULL,
       role_id text REFERENCES ${t('_role')}(id),
       UNIQUE (record_type, role_id))`,
    `CREATE INDEX IF NOT EXISTS _record_creation_record_type_idx ON ${t('_record_creation')} (record_type)`,
    `CREATE TABLE IF NOT EXISTS ${t('_record_default_access')} (
       record_type text NOT NULL UNIQUE,
       default_access jsonb)`,
    `CREATE TABLE IF NOT EXISTS ${t('_record_field_access')} (
       record_type text NOT NULL,
       record_field text NOT NULL,
       user_role text NOT NULL,
       writable boolean NOT NULL,
       readable boolean NOT NULL,
       comparable boolean NOT NULL,
       discoverable boolean NOT NULL,
       PRIMARY KEY (record_type, record_field, user_role))`,
    `CREATE TABLE IF NOT EXISTS ${t('_access_token')} (
       token text PRIMARY KEY,
       auth_id text NOT NULL REFERENCES ${t('_auth')}(id),
       issued_at timestamp without time zone NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS _access_token_auth_id_idx ON ${t('_access_token')} (auth_id)`,
    `CREATE TABLE IF NOT EXISTS ${t('_push_notification')} (
       id text PRIMARY KEY,
       target text,
       payload jsonb,
       created_at timestamp without time zone)`,
    // The user profile is an ordinary record table (§3.10); citext is replaced by lower() unique indexes.
    `CREATE TABLE IF NOT EXISTS ${t('user')} (
       ${systemColumnsDDL()},
       username text,
       email text,
       last_login_at timestamp without time zone,
       PRIMARY KEY (_id, _database_id, _owner_id),
       UNIQUE (_id))`,
    `CREATE UNIQUE INDEX IF NOT EXISTS auth_record_keys_user_username_key ON ${t('user')} (lower(username))`,
    `CREATE UNIQUE INDEX IF NOT EXISTS auth_record_keys_user_email_key ON ${t('user')} (lower(email))`,
  ];
}
