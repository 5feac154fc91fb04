import type { Tx } from '../../db/driver';
import { ErrorCodes, SkygearError, invalidArgument } from '../../core/errors';
import { setCreationRoles, setDefaultAcl } from '../access/access-settings';
import { parseAcl } from '../access/record-acl';
import { dropRecordColumn, lockSchemaChanges, renameRecordColumn } from './ddl';
import { formatFieldType, parseFieldTypeName } from './field-types';
import type { FieldAccessEntry } from '../access/field-acl-rules';
import { fieldAccessEntries, replaceFieldAccess } from '../access/field-acl-table';
import { addNeed, ensureSchema, type SchemaNeeds } from './migration';
import type { Acl } from '../codec/record-json';
import type { Catalog } from './schema-catalog';
import type { StoreContext } from '../store-context';

/** The schema listing every schema:* action answers with (Part A §6.2). */
export interface SchemaListing {
  record_types: Record<string, { fields: Array<{ name: string; type: string }> }>;
}

export type SchemaDefinition = Record<string, { fields: Array<{ name: unknown; type: unknown }> }>;

/** Schema and per-type access administration (schema:* actions; dev mode, admin or master key). */
export interface SchemaAdmin {
  fetchSchema(): Promise<SchemaListing>;
  createSchema(recordTypes: SchemaDefinition): Promise<SchemaListing>;
  renameField(recordType: string, from: string, to: string): Promise<SchemaListing>;
  deleteField(recordType: string, field: string): Promise<SchemaListing>;
  /** Replaces the roles allowed to create records of the type (none = any user); returns them. */
  setCreationAccess(recordType: string, roles: string[]): Promise<string[]>;
  /** Sets the ACL new records of the type get when saved with `_access` null; returns it. */
  setDefaultAccess(recordType: string, acl: unknown): Promise<Acl>;
  /** The field ACL table (§5.6). */
  fieldAccess(): Promise<FieldAccessEntry[]>;
  /** Replaces the whole field ACL table; returns the new one. */
  setFieldAccess(entries: unknown): Promise<FieldAccessEntry[]>;
}

export function listing(catalog: Catalog): SchemaListing {
  const record_types: SchemaListing['record_types'] = {};
  for (const name of [...catalog.keys()].sort()) {
    const fields = [...catalog.get(name)!.fields]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([field, t]) => ({ name: field, type: formatFieldType(t) }));
    record_types[name] = { fields };
  }
  return { record_types };
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name === '') throw invalidArgument(`${what} must be a non-empty string`, [what]);
  if (name.startsWith('_')) throw invalidArgument(`${what} "${name}" must not start with "_"`, [name]);
  return name;
}

export function createSchemaAdmin(ctx: StoreContext): SchemaAdmin {
  const fresh = async () => {
    ctx.catalog.invalidate();
    return listing(await ctx.catalog.get());
  };

  /** rename/delete: runs the DDL under the schema lock; DB failures answer 110 with the DB's message (as Go). */
  const alterColumn = async (fn: (tx: Tx) => Promise<void>) => {
    try {
      await ctx.db.transaction(async (tx) => {
        await lockSchemaChanges(tx, ctx.schema, ctx.db.kind);
        await fn(tx);
      });
    } catch (err) {
      if (err instanceof SkygearError) throw err;
      throw new SkygearError(err instanceof Error ? err.message : String(err), ErrorCodes.ResourceNotFound);
    } finally {
      ctx.catalog.invalidate();
    }
    return fresh();
  };

  return {
    fetchSchema: fresh,

    async createSchema(recordTypes) {
      const needs: SchemaNeeds = new Map();
      for (const [type, def] of Object.entries(recordTypes)) {
        checkName(type, 'record_type');
        addNeed(needs, type, null, null);
        for (const field of def.fields) addNeed(needs, type, checkName(field.name, 'name'), parseFieldTypeName(field.type));
      }
      await ensureSchema(ctx.db, ctx.schema, ctx.catalog, needs, true);
      return fresh();
    },

    async renameField(recordType, from, to) {
      checkName(recordType, 'record_type');
      checkName(from, 'item_name');
      checkName(to, 'new_name');
      return alterColumn((tx) => renameRecordColumn(tx, ctx.schema, recordType, from, to));
    },

    async deleteField(recordType, field) {
      checkName(recordType, 'record_type');
      checkName(field, 'item_name');
      return alterColumn((tx) => dropRecordColumn(tx, ctx.schema, recordType, field));
    },

    async setCreationAccess(recordType, roles) {
      checkName(recordType, 'type');
      if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || r === '')) {
        throw invalidArgument('create_roles must be a list of role names', ['create_roles']);
      }
      return ctx.db.transaction((tx) => {
        // A save between our DELETE and COMMIT may re-cache the old roles: forget them once committed.
        ctx.accessSettings.forgetType(recordType);
        tx.afterCommit(() => ctx.accessSettings.forgetType(recordType));
        return setCreationRoles(tx, ctx.schema, recordType, roles);
      });
    },

    async setDefaultAccess(recordType, acl) {
      checkName(recordType, 'type');
      const parsed = parseAcl(acl);
      return ctx.db.transaction((tx) => {
        ctx.accessSettings.forgetType(recordType);
        tx.afterCommit(() => ctx.accessSettings.forgetType(recordType));
        return setDefaultAcl(tx, ctx.schema, recordType, parsed);
      });
    },

    fieldAccess: () => fieldAccessEntries(ctx.db, ctx.schema),

    async setFieldAccess(entries) {
      return ctx.db.transaction((tx) => {
        ctx.accessSettings.forgetFieldAcl();
        tx.afterCommit(() => ctx.accessSettings.forgetFieldAcl());
        return replaceFieldAccess(tx, ctx.schema, entries);
      });
    },
  };
}
