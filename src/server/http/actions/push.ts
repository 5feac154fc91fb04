import { randomUUID } from 'node:crypto';
import { NOW_UTC, table } from '../../auth/sql';
import type { Driver } from '../../db/driver';
import { ErrorCodes, errorNameOf, invalidArgument } from '../../core/errors';
import type { ErrorItem } from '../../store/codec/record-json';
import type { ActionDef } from '../../core/actions';
import { optionalString, stringList } from './args';

/**
 * push:user / push:device (Part A §9.2) with the "log" push provider: no APNs/FCM is configured, so
 * each notification is stored as a row of `_push_notification(id, target, payload, created_at)` —
 * target `user:<user id>` or `device:<device id>`, payload `{"notification": …, "topic"?: …}` —
 * where apps, demos and tests can see what would have been sent. Unlike Go (any key), sending
 * requires the master key: a client key must not be able to push to arbitrary users.
 */
export function pushActions(db: Driver, schema: string): ActionDef[] {
  const notifications = table(schema, '_push_notification');

  const send = (kind: 'user' | 'device'): ActionDef['handle'] =>
    async (req) => {
      const idsArg = kind === 'user' ? 'user_ids' : 'device_ids';
      // The 1.7.2 client sends `user/<id>` when given a user record; accept both spellings.
      const ids = stringList(req.body, idsArg).map((id) => (kind === 'user' ? id.replace(/^user\//, '') : id));
      const notification = req.body.notification;
      if (typeof notification !== 'object' || notification === null || Array.isArray(notification)) {
        throw invalidArgument('notification must be an object', ['notification']);
      }
      const topic = optionalString(req.body, 'topic');
      const payload = topic === undefined ? { notification } : { notification, topic };
      const known = await knownTargets(db, schema, kind, ids);

      return db.transaction(async (tx) => {
        const results: Array<{ _id: string } | ErrorItem> = [];
        for (const id of ids) {
          if (!known.has(id)) {
            results.push(notFoundItem(id, `${kind} not found`));
            continue;
          }
          await tx.query(`INSERT INTO ${notifications} (id, target, payload, created_at) VALUES ($1, $2, $3::jsonb, ${NOW_UTC})`, [
            randomUUID(),
            `${kind}:${id}`,
            JSON.stringify(payload),
          ]);
          results.push({ _id: id });
        }
        return results;
      });
    };

  return [
    { name: 'push:user', requires: 'master', handle: send('user') },
    { name: 'push:device', requires: 'master', handle: send('device') },
  ];
}

async function knownTargets(db: Driver, schema: string, kind: 'user' | 'device', ids: string[]): Promise<Set<string>> {
  const source = table(schema, kind === 'user' ? '_auth' : '_device');
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${source} WHERE id = ANY($1::text[])`, [ids]);
  return new Set(rows.map((r) => r.id));
}

function notFoundItem(id: string, message: string): ErrorItem {
  const code = ErrorCodes.ResourceNotFound;
  return { _type: 'error', _id: id, name: errorNameOf(code), code, message };
}
