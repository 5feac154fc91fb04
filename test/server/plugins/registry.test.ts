import { PluginRegistrationError } from '../../../src/server/plugins/plugin-errors';
import { handlerPath, PluginRegistry, type HandlerEntry } from '../../../src/server/plugins/registry';

const handler = (plugin: string, name: string): HandlerEntry => ({
  plugin,
  name,
  keyRequired: false,
  userRequired: false,
  invoke: async () => ({ status: 200, headers: {}, body: Buffer.from(`${plugin}:${name}`) }),
});

describe('PluginRegistry', () => {
  it('maps handler names to paths (":" → "/", leading slash)', () => {
    expect(handlerPath('chat:upload')).toBe('/chat/upload');
    expect(handlerPath('static/')).toBe('/static/');
    expect(handlerPath('/already')).toBe('/already');
  });

  it('matches exact paths per method, then the longest prefix whose name ends in "/"', () => {
    const reg = new PluginRegistry();
    reg.addHandler(handler('a', 'static/'), ['GET']);
    reg.addHandler(handler('a', 'static/deep/'), ['GET']);
    reg.addHandler(handler('a', 'page'), ['GET', 'post']);
    expect(reg.handler('GET', '/page')?.name).toBe('page');
    expect(reg.handler('POST', '/page')?.name).toBe('page');
    expect(reg.handler('PUT', '/page')).toBeUndefined();
    expect(reg.handler('GET', '/page/sub')).toBeUndefined();
    expect(reg.handler('GET', '/static/x.css')?.name).toBe('static/');
    expect(reg.handler('GET', '/static')?.name).toBe('static/');
    expect(reg.handler('GET', '/static/deep/y.js')?.name).toBe('static/deep/');
    expect(reg.handler('POST', '/static/x.css')).toBeUndefined();
  });

  it('lets a plugin replace its own handler but keeps the first plugin on a cross-plugin clash', () => {
    const warnings: string[] = [];
    const reg = new PluginRegistry((m) => warnings.push(m));
    reg.addHandler(handler('a', 'p'), ['GET']);
    const replacement = handler('a', 'p');
    reg.addHandler(replacement, ['GET']);
    expect(reg.handler('GET', '/p')).toBe(replacement);
    reg.addHandler(handler('b', 'p'), ['GET']);
    expect(reg.handler('GET', '/p')).toBe(replacement);
    expect(warnings).toEqual([expect.stringContaining('ignored')]);
  });

  it('keeps hooks per (trigger, type) in registration order and lets a later lambda replace an earlier one', async () => {
    const reg = new PluginRegistry();
    const hook = (name: string, recordType = 'note') => ({ plugin: 'p', name, trigger: 'afterSave' as const, recordType, async: false, invoke: async () => undefined });
    reg.addHook(hook('one'));
    reg.addHook(hook('other', 'message'));
    reg.addHook(hook('two'));
    expect(reg.hooks('afterSave', 'note').map((h) => h.name)).toEqual(['one', 'two']);
    expect(reg.hooks('beforeSave', 'note')).toEqual([]);
    reg.addOp({ plugin: 'p', name: 'x', keyRequired: false, userRequired: false, invoke: async () => 1 });
    reg.addOp({ plugin: 'q', name: 'x', keyRequired: false, userRequired: true, invoke: async () => 2 });
    await expect(reg.op('x')!.invoke({}, {})).resolves.toBe(2);
  });

  it('rejects unknown triggers, missing functions and empty names at registration', () => {
    const reg = new PluginRegistry();
    const base = { plugin: 'p', name: 'h', recordType: 'note', async: false, invoke: async () => undefined };
    expect(() => reg.addHook({ ...base, trigger: 'before_save' as never })).toThrow(PluginRegistrationError);
    expect(() => reg.addHook({ ...base, trigger: 'beforeSave', invoke: 'x' as never })).toThrow(/expected a function/);
    expect(() => reg.addHook({ ...base, trigger: 'beforeSave', recordType: '' })).toThrow(/record type/);
    expect(() => reg.addOp({ plugin: 'p', name: '', keyRequired: false, userRequired: false, invoke: async () => 1 })).toThrow(/name/);
    expect(() => reg.addTimer({ plugin: 'p', name: 't', spec: ' ', invoke: async () => 1 })).toThrow(/spec/);
    expect(() => reg.addHandler(handler('p', 'x'), [])).toThrow(/method/);
  });

  it('keeps several functions per event name', () => {
    const reg = new PluginRegistry();
    reg.addEvent({ plugin: 'p', name: 'server-ready', invoke: async () => 1 });
    reg.addEvent({ plugin: 'q', name: 'server-ready', invoke: async () => 2 });
    expect(reg.eventFunctions('server-ready').map((e) => e.plugin)).toEqual(['p', 'q']);
    expect(reg.eventFunctions('init')).toEqual([]);
  });
});
