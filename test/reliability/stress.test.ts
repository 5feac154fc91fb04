/**
 * The CI-sized version of `npm run stress` (scripts/stress): concurrent wire clients sending the
 * skygear JS client's exact payloads, a mixed load (sends in both databases and with both field
 * generations, paging, marking, edits and deletes, membership churn, leaving, racing distinct
 * creates), then I1–I5 and the acknowledgement ledger (edits and deletes included) checked in SQL. Runs on the engine TEST_DATABASE_URL picks.
 */
import { verify } from '../../scripts/stress/check';
import { runLoad } from '../../scripts/stress/load';
import { startChatServer } from '../plugin/support';
import type { TestServer } from '../support/server';

let server: TestServer;

beforeAll(async () => {
  server = await startChatServer();
});

afterAll(async () => {
  await server?.close();
});

test('a mixed concurrent load keeps I1–I5 and stores every acknowledged message exactly once', async () => {
  const load = await runLoad({
    url: server.url,
    apiKey: server.config.apiKey,
    clients: 20,
    operations: 700,
    deadlineMs: 40_000,
    seed: 7,
    groups: 4,
    groupSize: 8,
  });
  expect(load.unexpected).toEqual([]);
  // The mix really happened (not a load of refusals).
  expect(load.byKind.send.ok).toBeGreaterThan(100);
  expect(load.byKind.mark_as_read.ok).toBeGreaterThan(10);
  expect(load.byKind.edit_message.ok).toBeGreaterThan(0);
  expect(load.byKind.delete_message.ok).toBeGreaterThan(0);
  expect(load.byKind.add_participants.ok + load.byKind.remove_participants.ok).toBeGreaterThan(0);
  expect(load.distinctRaces).toBeGreaterThan(0);
  const verdict = await verify(server.db, load.ledger);
  expect(verdict.problems).toEqual([]);
  expect(verdict.storedMessages).toBeGreaterThanOrEqual(load.ledger.ackedMessages.size);
}, 90_000);
