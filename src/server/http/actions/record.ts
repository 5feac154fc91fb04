import { invalidArgument } from '../../core/errors';
import type { DatabaseId } from '../../store/codec/record-json';
import type { QueryRequest, RecordStore } from '../../store/store';
import { ResultWithInfo, type ActionDef, type ActionRequest } from '../../core/actions';

/** record:save, record:fetch, record:query, record:delete (Part A §4.5–§4.8). */
export function recordActions(store: RecordStore): ActionDef[] {
  return [
    {
      name: 'record:save',
      requires: 'user',
      handle: (req) => {
        const records = req.body.records;
        if (!Array.isArray(records) || records.length === 0) throw invalidArgument('expected list of record', ['records']);
        return store.save(req.auth, databaseId(req), records, { atomic: req.body.atomic === true, requestId: req.requestId });
      },
    },
    {
      // T? (Part A §1.8): anonymous reads need the API key; a bad key or token is refused, not ignored.
      name: 'record:fetch',
      requires: 'keyOrToken',
      handle: (req) => store.fetch(req.auth, databaseId(req), idList(req)),
    },
    {
      name: 'record:query',
      requires: 'keyOrToken',
      async handle(req) {
        const query = queryRequest(req.body);
        const res = await store.query(req.auth, databaseId(req), query);
        return query.count ? new ResultWithInfo(res.records, { count: res.count ?? 0 }) : res.records;
      },
    },
    {
      name: 'record:delete',
      requires: 'user',
      handle: (req) => store.delete(req.auth, databaseId(req), idList(req), { atomic: req.body.atomic === true, requestId: req.requestId }),
    },
  ];
}

/** The store validates the value (`_public` when absent, §4.4). */
const databaseId = (req: ActionRequest): DatabaseId => req.body.database_id as DatabaseId;

/** `ids: ["type/key", …]`; older SDKs sent `records: [{_id}]`, accepted too. */
function idList(req: ActionRequest): string[] {
  const { ids, records } = req.body;
  const list = Array.isArray(ids) ? ids : Array.isArray(records) ? records.map((r) => (r as { _id?: unknown } | null)?._id) : undefined;
  if (!list || list.length === 0) throw invalidArgument('expected list of id', ['ids']);
  if (!list.every((id) => typeof id === 'string')) throw invalidArgument('ids must be strings', ['ids']);
  return list as string[];
}

function queryRequest(body: Record<string, unknown>): QueryRequest {
  const recordType = body.record_type;
  if (typeof recordType !== 'string' || recordType === '') throw invalidArgument('recordType cannot be empty', ['record_type']);
  if (body.count !== undefined && body.count !== null && typeof body.count !== 'boolean') {
    throw invalidArgument('count must be a boolean', ['count']);
  }
  // The store validates limit/offset (non-negative integers); `page` is ignored, as in Go (§4.7).
  const optional = (v: unknown) => (v === null ? undefined : (v as number | undefined));
  return {
    recordType,
    predicate: body.predicate,
    sort: body.sort,
    include: body.include,
    desiredKeys: body.desired_keys as string[] | undefined,
    limit: optional(body.limit),
    offset: optional(body.offset),
    count: body.count === true,
  };
}
