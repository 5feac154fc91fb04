import type { AuthContext } from '../core/auth-context';
import { ErrorCodes, SkygearError, invalidArgument } from '../core/errors';
import { impliedType } from './codec/wire-values';
import { resolveDatabase } from './access/database-id';
import { fieldAclFor, readableRecord } from './access/field-acl-enforce';
import { decodeIncoming, errorItem, type IncomingRecord } from './codec/incoming';
import { addNeed, ensureSchema, type SchemaNeeds } from './schema/migration';
import { isRetryableConflict, isUndefinedObject, toSkygearError } from './pg-errors';
import type { DatabaseId, ErrorItem, RecordJSON } from './codec/record-json';
import { saveOne } from './save-one';
import type { SaveOptions } from './store';
import type { StoreContext } from './store-context';
import { runTransaction } from './tx-retry';

export const ATOMIC_FAILED = 'Atomic Operation rolled back due to one or more errors';

/**
 * record:save (Part A §4.5). Schema extension runs first for every decodable record; then each
 * record is saved in its own transaction together with its hooks, or — `atomic` — all in one, where
 * any failure rolls everything back and answers 115.
 */
export async function saveRecords(
  ctx: StoreContext,
  auth: AuthContext,
  databaseId: DatabaseId,
  raw: unknown[],
  opts: SaveOptions,
): Promise<Array<RecordJSON | ErrorItem>> {
  if (!Array.isArray(raw) || raw.length === 0) throw invalidArgument('expected list of record', ['records']);
  const scope = resolveDatabase(auth, databaseId, 'write');
  if (scope.kind === 'union') throw new SkygearError('modifying the selected database is not supported', ErrorCodes.NotSupported);
  if (auth.userId === null) throw new SkygearError('Authentication is needed to save records', ErrorCodes.NotAuthenticated);

  const decoded = raw.map(decodeIncoming);
  if (opts.atomic && decoded.some((d) => !d.ok)) {
    const errors = decoded.flatMap((d) => (d.ok ? [] : [d.error]));
    throw new SkygearError('fails to de-serialize records', ErrorCodes.InvalidArgument, { arguments: 'records', errors });
  }
  const valid = decoded.flatMap((d) => (d.ok ? [d.record] : []));
  await ensureSchema(ctx.db, ctx.schema, ctx.catalog, schemaNeeds(valid), ctx.devMode || auth.keyType === 'master');

  // One field ACL for the request (§5.6): it limits what each record's save may change, and the
  // response shows each saved record as the caller may read it.
  const fieldAcl = await fieldAclFor(ctx.db, ctx.accessSettings, auth);
  const one = { requestId: opts.requestId, skipCreationAccess: opts.skipCreationAccess, atomic: opts.atomic, fieldAcl };
  const visible = (record: RecordJSON) => readableRecord(fieldAcl, record, auth);
  if (opts.atomic) {
    let failing: IncomingRecord | undefined;
    try {
      const saved = await runTransaction(ctx, !hasSaveHooks(ctx, valid), async (tx) => {
        const saved: RecordJSON[] = [];
        for (const rec of valid) {
          failing = rec;
          saved.push(await saveOne(ctx, tx, auth, scope, rec, one));
        }
        return saved;
      });
      return saved.map(visible);
    } catch (err) {
      throw atomicFailure(failing?.id, err, 'save');
    }
  }

  const results: Array<RecordJSON | ErrorItem> = [];
  for (const d of decoded) {
    if (!d.ok) {
      results.push(d.error);
      continue;
    }
    const rec = d.record;
    try {
      results.push(visible(await runTransaction(ctx, !hasSaveHooks(ctx, [rec]), (tx) => saveOne(ctx, tx, auth, scope, rec, one))));
    } catch (err) {
      results.push(errorItem(reported(ctx, err, 'save'), rec.id));
    }
  }
  return results;
}

function schemaNeeds(records: IncomingRecord[]): SchemaNeeds {
  const needs: SchemaNeeds = new Map();
  for (const rec of records) {
    addNeed(needs, rec.type, null, null);
    for (const [name, value] of rec.fields) addNeed(needs, rec.type, name, impliedType(value));
  }
  return needs;
}

function hasSaveHooks(ctx: StoreContext, records: IncomingRecord[]): boolean {
  return records.some((r) => ctx.hooks.has('beforeSave', r.type) || ctx.hooks.has('afterSave', r.type));
}

export function atomicFailure(id: string | undefined, err: unknown, op: 'save' | 'delete'): SkygearError {
  const cause = toSkygearError(err, op);
  // 123 (a field the caller may not write) answers the atomic save as itself, as in Go (§5.6).
  if (cause.code === ErrorCodes.AtomicOperationFailure || cause.code === ErrorCodes.DeniedArgument) return cause;
  return new SkygearError(ATOMIC_FAILED, ErrorCodes.AtomicOperationFailure, id ? { [id]: cause.toJSON() } : undefined);
}

/** Per-record failure → Skygear error; unexpected ones are logged (they are our bugs or DB trouble). */
export function reported(ctx: StoreContext, err: unknown, op: 'save' | 'delete'): SkygearError {
  const e = toSkygearError(err, op);
  if (e.code === ErrorCodes.UnexpectedError && !isRetryableConflict(err) && !isUndefinedObject(err)) {
    ctx.log.warn({ err }, `record ${op} failed unexpectedly`);
  }
  return e;
}
