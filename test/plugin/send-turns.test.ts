import pg from 'pg';
import { closeAllClients } from '../support/client';
import { isPostgres, testDatabaseUrl } from '../support/database';
import type { TestServer } from '../support/server';
import { eventually, invariants, signupUsers, startChatServer } from './support';

/**
 * A send that waits in process for its turn in a busy conversation (conversation-turns.ts) waits
 * inside its transaction. It must not hold PostgreSQL's xmin horizon meanwhile: if it did, the row
 * versions every other send leaves in the conversation's user_conversation rows could not be pruned
 * and the hot conversation slowed down with every waiting send (docs/performance.md, round 3).
 * Needs a second connection holding a row lock, so it runs on PostgreSQL (the CI's second run);
 * embedded PGlite has a single connection and no concurrent transactions to observe.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  closeAllClients();
  await server?.close();
});

(isPostgres() ? it : it.skip)('a send waiting for its turn holds no snapshot, and both sends then land in order', async () => {
  const [alice, bob] = await signupUsers(server, 2, 'turns');
  const conversationId = await alice.createConversation([bob], 'turns');

  // Another session locks the conversation row: the first send takes its turn and then waits on that
  // lock. A third one watches pg_stat_activity (outside a transaction, which would freeze its view).
  const locker = new pg.Client({ connectionString: testDatabaseUrl() });
  const watcher = new pg.Client({ connectionString: testDatabaseUrl() });
  await locker.connect();
  await watcher.connect();
  const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const others = `datname = current_database() AND pid NOT IN (pg_backend_pid(), ${lockerPid})`;
  try {
    await locker.query('BEGIN');
    await locker.query(`SELECT 1 FROM "${server.schema}".conversation WHERE _id = $1 FOR UPDATE`, [conversationId]);
    const first = alice.send(conversationId, 'first');
    await eventually(
      async () => (await watcher.query(`SELECT 1 FROM pg_stat_activity WHERE ${others} AND state = 'active' AND wait_event_type = 'Lock'`)).rows.length > 0,
      'the first send waiting for the conversation row lock',
    );
    const second = bob.send(conversationId, 'second');
    // The second send is now waiting for its turn, idle inside its transaction.
    const waiting = await eventually(async () => {
      const { rows } = await watcher.query<{ backend_xmin: string | null }>(
        `SELECT backend_xmin FROM pg_stat_activity WHERE ${others} AND state = 'idle in transaction'`,
      );
      return rows[0];
    }, 'the second send waiting for its turn');
    expect(waiting.backend_xmin).toBeNull();

    await locker.query('COMMIT');
    await Promise.all([first, second]);
  } finally {
    await locker.end();
    await watcher.end();
  }
  const { rows } = await server.db.query<{ body: string }>(`SELECT body FROM message WHERE conversation_id = $1 ORDER BY seq`, [conversationId]);
  expect(rows.map((r) => r.body)).toEqual(['first', 'second']);
  await invariants(server);
});
