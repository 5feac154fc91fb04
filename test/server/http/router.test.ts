import type { ActionDef, ActionSource } from '../../../src/server/core/actions';
import { canonicalHeaderKey } from '../../../src/server/plugins/headers';
import { ActionRouter } from '../../../src/server/http/router';

const def = (name: string): ActionDef => ({ name, requires: 'none', handle: async () => name });

describe('ActionRouter.resolve', () => {
  const plugin: ActionSource = {
    findAction: (name) => (name === 'sso/config' || name === 'hello:world' ? def(name) : undefined),
    listActions: () => [def('sso/config'), def('hello:world')],
  };
  const router = new ActionRouter([def('record:save'), def('me')], [plugin]);
  const nameOf = (path: string, action?: unknown) => {
    const r = router.resolve(path, action);
    return r.kind === 'empty' ? '(empty)' : r.name;
  };

  it('lists built-in actions, then the plugins\' ones', () => {
    expect(router.list().map((d) => d.name)).toEqual(['record:save', 'me', 'sso/config', 'hello:world']);
  });

  it('prefers the URL path, with / turned into :', () => {
    expect(nameOf('/record/save', 'me')).toBe('record:save');
    expect(nameOf('/hello/world')).toBe('hello:world');
  });

  it('falls back to the body action (lambda names with a slash, endpoints with a path prefix)', () => {
    expect(nameOf('/sso/config', 'sso/config')).toBe('sso/config');
    expect(nameOf('/api/', 'me')).toBe('me');
  });

  it('gives the empty action for / without an action, and 117 for anything unknown', () => {
    expect(nameOf('/')).toBe('(empty)');
    expect(nameOf('/', '')).toBe('(empty)');
    expect(() => router.resolve('/nope', undefined)).toThrow(expect.objectContaining({ code: 117, message: 'route unmatched' }));
    expect(() => router.resolve('/', 'nope')).toThrow(expect.objectContaining({ code: 117 }));
  });

  it('refuses two built-in actions with one name', () => {
    expect(() => new ActionRouter([def('me'), def('me')])).toThrow(/twice/);
  });
});

describe('canonicalHeaderKey', () => {
  it('spells header names the way Go does', () => {
    expect(canonicalHeaderKey('content-type')).toBe('Content-Type');
    expect(canonicalHeaderKey('X-SKYGEAR-API-KEY')).toBe('X-Skygear-Api-Key');
  });
});
