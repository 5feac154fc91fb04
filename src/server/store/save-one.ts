import type { AuthContext } from '../core/auth-context';
import type { Tx } from '../db/driver';
import { ErrorCodes, SkygearError, permissionDenied } from '../core/errors';
import { hasAccess, parseAcl, subjectOf } from './access/record-acl';
import { impliedType, type Decoded } from './codec/wire-values';
import type { DatabaseScope } from './access/database-id';
import type { FieldAcl } from './access/field-acl-rules';
import { deniedFields, unwritableChanges } from './access/field-acl-enforce';
import type { IncomingRecord } from './codec/incoming';
import { hookChanges, mergeRecord } from './codec/merge';
import { addNeed, ensureSchemaInTx, type SchemaNeeds } from './schema/migration';
import type { Acl, RecordJSON } from './codec/record-json';
import { renderRows, selectRow } from './record-io';
import { HostRecordSave } from './record-save';
import { recordSelectList } from './codec/row-json';
import type { TableSchema } from './schema/schema-catalog';
import { insertRow, syncSequences, updateRow } from './row-write';
import type { StoreContext } from './store-context';

export interface SaveOneOptions {
  requestId: string;
  skipCreationAccess?: boolean;
  /** Part of an atomic save: a change the field ACL forbids fails it (123) instead of being dropped. */
  atomic?: boolean;
  /** The request's field ACL (access/field-acl-enforce.ts `fieldAclFor`; null: none applies to the caller). */
  fieldAcl: FieldAcl | null;
}

/**
 * Saves one record inside the caller's transaction (Part A §4.5, Part B §4.1): ACL or creation check,
 * merge onto the stored row, before-save hooks, write, read back, after-save hooks. Anything thrown
 * rolls back the caller's transaction, hook effects included.
 */
export async function saveOne(
  ctx: StoreContext,
  tx: Tx,
  auth: AuthContext,
  scope: DatabaseScope & { kind: 'public' | 'private' },
  rec: IncomingRecord,
  opts: SaveOneOptions,
): Promise<RecordJSON> {
  const userId = auth.userId;
  if (userId === null) throw new SkygearError('Authentication is needed to save records', ErrorCodes.NotAuthenticated);
  let table = await requireTable(ctx, rec.type);
  const stored = await selectRow(ctx, tx, rec.type, table, rec.key, scope, true);
  const original = stored ? (await renderRows(ctx, rec.type, table, [stored]))[0] : null;
  if (stored) {
    const target = { access: (stored._access ?? null) as Acl, ownerId: String(stored._owner_id), databaseId: String(stored._database_id) };
    if (!hasAccess(target, subjectOf(auth), 'write')) throw permissionDenied();
  } else if (auth.keyType !== 'master' && !opts.skipCreationAccess) {
    const roles = await ctx.accessSettings.creationRoles(tx, rec.type);
    if (roles.length > 0 && !roles.some((r) => auth.roles.includes(r))) throw permissionDenied('no permission to create');
  }

  // Deliberate fix of the "ACL wipe" (Part A §5.8 item 1): Go replaced the ACL of an EXISTING record
  // saved with `_access` null/absent by the type's default ACL. Clients send null for records they
  // never touched the ACL of (e.g. partial updates), so we keep the stored ACL instead. The default
  // ACL applies only to new records.
  let access: Acl = rec.access ?? (stored ? ((stored._access ?? null) as Acl) : await ctx.accessSettings.defaultAcl(tx, rec.type));

  const now = new Date().toISOString();
  const fields = new Map(rec.fields);
  const meta = {
    id: rec.id,
    access,
    ownerId: stored ? String(stored._owner_id) : userId,
    createdAt: original?._created_at ?? now,
    createdBy: stored ? (original?._created_by ?? '') : userId,
    updatedAt: now,
    updatedBy: userId,
  };
  // Field ACL (§5.6) on what the client changes, before any hook sees it.
  const { fieldAcl } = opts;
  if (fieldAcl?.covers(rec.type)) {
    const denied = unwritableChanges(fieldAcl, rec.type, fields.keys(), original, mergeRecord(original, fields, meta, ctx.assets), auth);
    if (denied.length > 0 && opts.atomic) throw deniedFields(rec.type, denied);
    for (const name of denied) fields.delete(name);
  }
  // One per record: its before-save and after-save hooks share it (options.save), nothing else does.
  const save = new HostRecordSave(tx);
  if (ctx.hooks.has('beforeSave', rec.type)) {
    const sent = mergeRecord(original, fields, meta, ctx.assets);
    const returned = await ctx.hooks.run({
      trigger: 'beforeSave', recordType: rec.type, record: sent, original, auth, requestId: opts.requestId, tx, save,
    });
    if (returned) {
      const changes = hookChanges(sent, returned);
      for (const [name, value] of changes) fields.set(name, value);
      // A returned `_access: null` keeps the ACL the record had going in (stored one on update).
      if (Array.isArray(returned._access)) access = parseAcl(returned._access);
    }
  }
  // Columns a hook introduced, or ones another node dropped since the schema step, are (re)created here.
  table = await ensureColumns(ctx, tx, auth, rec.type, table, fields);

  const write = { schema: ctx.schema, type: rec.type, key: rec.key, databaseId: scope.id, fields, access, now, userId };
  // The write returns the row (RETURNING), so it is not read back. With an explicit value for a
  // sequence column the row already holds it; syncSequences only moves the sequence.
  const returning = recordSelectList('t', table);
  const row = stored ? await updateRow(tx, write, returning) : await insertRow(tx, write, returning);
  await syncSequences(tx, write, table);
  if (!row) throw new SkygearError(`record ${rec.id} vanished after write`, ErrorCodes.UnexpectedError);
  const [saved] = await renderRows(ctx, rec.type, table, [row]);
  if (ctx.hooks.has('afterSave', rec.type)) {
    await ctx.hooks.run({ trigger: 'afterSave', recordType: rec.type, record: saved, original, auth, requestId: opts.requestId, tx, save });
  }
  return saved;
}

async function requireTable(ctx: StoreContext, type: string): Promise<TableSchema> {
  const table = await ctx.catalog.tableFresh(type);
  if (!table) throw new SkygearError(`record type "${type}" does not exist`, ErrorCodes.UnexpectedError);
  return table;
}

/**
 * Every written field needs a column; missing ones (added by a before-save hook, or dropped by
 * another node after the schema step) are migrated inside this transaction under the usual rules.
 */
async function ensureColumns(
  ctx: StoreContext,
  tx: Tx,
  auth: AuthContext,
  type: string,
  table: TableSchema,
  changes: Map<string, Decoded>,
): Promise<TableSchema> {
  const needs: SchemaNeeds = new Map();
  let missing = false;
  for (const [name, value] of changes) {
    const implied = impliedType(value);
    if (!implied) continue;
    addNeed(needs, type, name, implied);
    if (!table.fields.has(name)) missing = true;
  }
  if (!missing) return table;
  const catalog = await ensureSchemaInTx(tx, ctx.db.kind, ctx.schema, ctx.catalog, needs, ctx.devMode || auth.keyType === 'master');
  return catalog.get(type) ?? table;
}
