import type { Accounts } from '../../auth/accounts';
import type { ActionDef } from '../../core/actions';

/** auth:signup, auth:login, auth:logout, auth:password, me and auth:disable:set (Part A §3). */
export function authActions(accounts: Accounts): ActionDef[] {
  return [
    { name: 'auth:signup', requires: 'key', handle: (req) => accounts.signup(req.auth, req.body, req.requestId) },
    { name: 'auth:login', requires: 'key', handle: (req) => accounts.login(req.body) },
    { name: 'auth:logout', requires: 'keyOrToken', handle: (req) => accounts.logout(req.auth) },
    { name: 'auth:password', requires: 'user', handle: (req) => accounts.changePassword(req.auth, req.body) },
    { name: 'me', requires: 'user', handle: (req) => accounts.me(req.auth) },
    { name: 'auth:disable:set', requires: 'admin', handle: (req) => accounts.setDisabled(req.body) },
  ];
}
