import { invalidArgument } from '../../core/errors';
import type { SchemaAdmin, SchemaDefinition } from '../../store/schema/schema-admin';
import type { ActionDef } from '../../core/actions';

/** schema:fetch/create/rename/delete (§6.2), schema:access (§5.5), schema:default_access (§5.4): dev mode or master key; schema:field_access:get/update (§5.6): admin or master key. */
export function schemaActions(store: SchemaAdmin): ActionDef[] {
  return [
    { name: 'schema:fetch', requires: 'dev', handle: () => store.fetchSchema() },
    {
      name: 'schema:create',
      requires: 'dev',
      handle: (req) => store.createSchema(schemaDefinition(req.body.record_types)),
    },
    {
      name: 'schema:rename',
      requires: 'dev',
      handle: (req) => {
        if (req.body.item_type !== undefined && req.body.item_type !== 'field') {
          throw invalidArgument('item_type must be "field"', ['item_type']);
        }
        return store.renameField(str(req.body, 'record_type'), str(req.body, 'item_name'), str(req.body, 'new_name'));
      },
    },
    {
      name: 'schema:delete',
      requires: 'dev',
      handle: (req) => store.deleteField(str(req.body, 'record_type'), str(req.body, 'item_name')),
    },
    {
      name: 'schema:access',
      requires: 'dev',
      async handle(req) {
        const type = str(req.body, 'type');
        const roles = req.body.create_roles ?? [];
        if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && r !== '')) {
          throw invalidArgument('create_roles must be a list of role names', ['create_roles']);
        }
        return { type, create_roles: await store.setCreationAccess(type, roles as string[]) };
      },
    },
    // Field ACL (§5.6): admin or master key. `update` replaces the whole table, as Go's does.
    { name: 'schema:field_access:get', requires: 'admin', handle: async () => ({ access: await store.fieldAccess() }) },
    {
      name: 'schema:field_access:update',
      requires: 'admin',
      handle: async (req) => ({ access: await store.setFieldAccess(req.body.access) }),
    },
    {
      name: 'schema:default_access',
      requires: 'dev',
      async handle(req) {
        const type = str(req.body, 'type');
        const acl = await store.setDefaultAccess(type, req.body.default_access ?? null);
        return acl && acl.length > 0 ? { type, default_access: acl } : { type };
      },
    },
  ];
}

function str(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== 'string' || v === '') throw invalidArgument(`${name} must be a non-empty string`, [name]);
  return v;
}

/** `{"note": {"fields": [{"name", "type"}]}}`; names and types are validated by the store. */
function schemaDefinition(raw: unknown): SchemaDefinition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidArgument('record_types must be an object', ['record_types']);
  const out: SchemaDefinition = {};
  for (const [type, def] of Object.entries(raw as Record<string, unknown>)) {
    const fields = (def as { fields?: unknown } | null)?.fields ?? [];
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === 'object' && f !== null)) {
      throw invalidArgument(`record_types.${type}.fields must be a list of {name, type}`, ['record_types']);
    }
    out[type] = { fields: fields as SchemaDefinition[string]['fields'] };
  }
  return out;
}
