import { coreToJSON, SkygearRecord } from '../../../src/server/plugins/in-process/skygear-core';
import type { RecordSave } from '../../../src/protocol/cloud-facade';
import type { Tx } from '../../../src/server/db/driver';
import type { PluginContext } from '../../../src/server/plugins/context';
import type { CoreCloudCodeContainer } from '../../../src/server/plugins/in-process/skygear-core';
import type { HookCall } from '../../../src/server/store/record-hooks';
import { hookInvoker, resultToJSON } from '../../../src/server/plugins/in-process/calls';
import type { InProcessPool } from '../../../src/server/plugins/in-process/pool';
import { HostRecordSave } from '../../../src/server/store/record-save';

describe('resultToJSON (a lambda result as response JSON)', () => {
  it('copies plain JSON as it is, dropping undefined keys and nulling undefined array items', () => {
    const value = { a: 1, s: 'x', b: true, n: null, gone: undefined, list: [1, undefined, { deep: [{ k: 'v', u: undefined }] }] };
    const out = resultToJSON(value);
    expect(out).toEqual({ a: 1, s: 'x', b: true, n: null, list: [1, null, { deep: [{ k: 'v' }] }] });
    expect(Object.keys(out as object)).not.toContain('gone');
    expect(out).not.toBe(value);
  });

  it('turns a top-level undefined into null and passes primitives through', () => {
    expect(resultToJSON(undefined)).toBeNull();
    expect(resultToJSON('text')).toBe('text');
    expect(resultToJSON(42)).toBe(42);
  });

  it('gives skygear-core forms for Dates and Records wherever they sit, as skygear-core toJSON does', () => {
    const when = new Date('2020-01-02T03:04:05Z');
    const record = new SkygearRecord('note', { _id: 'note/n1', title: 'hi' });
    const value = { when, page: [{ record, at: [when] }] };
    const out = resultToJSON(value);
    expect(out).toEqual(coreToJSON(value));
    expect(out).toEqual({
      when: { $type: 'date', $date: '2020-01-02T03:04:05.000Z' },
      page: [{ record: { $type: 'record', $record: expect.objectContaining({ _id: 'note/n1', title: 'hi' }) }, at: [{ $type: 'date', $date: '2020-01-02T03:04:05.000Z' }] }],
    });
  });

  it('uses an object’s own toJSON like skygear-core does', () => {
    expect(resultToJSON({ v: { toJSON: () => 'custom' } })).toEqual({ v: 'custom' });
  });
});

describe('hookInvoker (options.save)', () => {
  const tx: Tx = { query: async () => ({ rows: [], rowCount: 0 }) as never, afterCommit: () => undefined, afterEnd: () => undefined };
  const rt = { pool: {} as InProcessPool, container: () => ({}) as CoreCloudCodeContainer };
  const context = { request_id: 'r1', request_tag: 'record' } as PluginContext;
  const call = (save: RecordSave): HookCall => ({
    trigger: 'beforeSave',
    recordType: 'note',
    record: { _id: 'note/n1', _type: 'record', _access: null },
    original: null,
    auth: {} as HookCall['auth'],
    requestId: 'r1',
    tx,
    save,
  });

  it('hands the record’s save to a synchronous save hook, and none to an async one (it runs after commit)', async () => {
    const save = new HostRecordSave(tx);
    const seen: Array<RecordSave | undefined> = [];
    const hook = (_r: unknown, _o: unknown, _p: unknown, options: { save?: RecordSave }) => {
      seen.push(options.save);
    };
    await hookInvoker(hook, 'beforeSave', false, rt)(call(save), context);
    await hookInvoker(hook, 'afterSave', true, rt)(call(save), context);
    expect(seen).toEqual([save, undefined]);
  });
});
