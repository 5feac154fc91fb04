import { randomUUID } from 'node:crypto';
import { NOW_UTC, table } from '../../auth/sql';
import { isMaster } from '../../core/auth-context';
import type { Driver } from '../../db/driver';
import { ErrorCodes, SkygearError, invalidArgument } from '../../core/errors';
import type { ActionDef } from '../../core/actions';
import { optionalString } from './args';

const DEVICE_TYPES = ['ios', 'android', 'baidu-android'];

const deviceNotFound = () => new SkygearError('device not found', ErrorCodes.ResourceNotFound);

/** device:register / device:unregister (Part A §9.1). */
export function deviceActions(db: Driver, schema: string): ActionDef[] {
  const devices = table(schema, '_device');
  return [
    {
      name: 'device:register',
      requires: 'user',
      async handle(req) {
        const type = req.body.type;
        if (typeof type !== 'string' || !DEVICE_TYPES.includes(type)) {
          throw invalidArgument(`type must be one of ${DEVICE_TYPES.join(', ')}`, ['type']);
        }
        const token = optionalString(req.body, 'device_token') ?? null;
        const topic = optionalString(req.body, 'topic') ?? null;
        const givenId = optionalString(req.body, 'id');
        const userId = req.auth.userId;
        return db.transaction(async (tx) => {
          if (givenId) {
            const { rows } = await tx.query(`SELECT 1 FROM ${devices} WHERE id = $1`, [givenId]);
            // The client forgets its stored id and registers afresh on 110.
            if (rows.length === 0) throw deviceNotFound();
          }
          const id = givenId ?? randomUUID();
          // A push token belongs to one device: older registrations of the same token go away.
          if (token !== null) await tx.query(`DELETE FROM ${devices} WHERE token = $1 AND id <> $2`, [token, id]);
          await tx.query(
            `INSERT INTO ${devices} (id, auth_id, type, token, topic, last_registered_at)
             VALUES ($1, $2, $3, $4, $5, ${NOW_UTC})
             ON CONFLICT (id) DO UPDATE SET auth_id = EXCLUDED.auth_id, type = EXCLUDED.type, token = EXCLUDED.token,
               topic = EXCLUDED.topic, last_registered_at = EXCLUDED.last_registered_at`,
            [id, userId, type, token, topic],
          );
          return { id };
        });
      },
    },
    {
      name: 'device:unregister',
      requires: 'user',
      async handle(req) {
        const id = req.body.id;
        if (typeof id !== 'string' || id === '') throw invalidArgument('Missing device id', ['id']);
        // Only the device's own user (or the master key) may detach it; the row stays, without a user.
        const { rowCount } = await db.query(
          `UPDATE ${devices} SET auth_id = NULL WHERE id = $1 AND (auth_id = $2 OR auth_id IS NULL OR $3)`,
          [id, req.auth.userId, isMaster(req.auth)],
        );
        if (rowCount === 0) throw deviceNotFound();
        return { id };
      },
    },
  ];
}
