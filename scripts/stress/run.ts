/**
 * `npm run stress`: the full load against real PostgreSQL on loopback, then the verdict.
 *
 *   STRESS_CLIENTS (60)  STRESS_OPS (12000)  STRESS_DEADLINE_MS (240000)  STRESS_SEED (random)
 *   STRESS_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test)
 *
 * The server runs in this process on 127.0.0.1 with the chat plugin, in a schema of its own
 * (APP_NAME stress_<hex>) that is dropped at the end whatever happened. Exit 0 = every invariant
 * held and every acknowledged message is stored exactly once; 1 = violations (listed); 2 = the run
 * itself failed; 3 = the hard time bound was hit.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/server/core/config';
import { openDriver } from '../../src/server/db/open';
import { silentLogger } from '../../src/server/core/log';
import { createServer, type SkygearServer } from '../../src/server/server';
import { verify } from './check';
import { runLoad } from './load';

const int = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
};

async function main(): Promise<number> {
  const databaseUrl = process.env.STRESS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const clients = int('STRESS_CLIENTS', 60);
  const operations = int('STRESS_OPS', 12_000);
  const deadlineMs = int('STRESS_DEADLINE_MS', 240_000);
  const seed = int('STRESS_SEED', randomBytes(4).readUInt32LE(0));
  const hardStop = setTimeout(() => {
    process.stderr.write(`stress: hard time bound (${deadlineMs + 120_000} ms) hit, aborting\n`);
    process.exit(3);
  }, deadlineMs + 120_000);
  hardStop.unref();

  const appName = `stress_${randomBytes(5).toString('hex')}`;
  const assetDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stress-assets-'));
  const config = loadConfig({
    APP_NAME: appName,
    API_KEY: 'stress-api-key',
    MASTER_KEY: 'stress-master-key',
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    ASSET_STORE_PATH: assetDir,
    ASSET_STORE_SECRET: 'stress-asset-secret',
    LOG_LEVEL: 'silent',
    LOAD_MODULES: require.resolve('../../src/plugin'),
  });
  let server: SkygearServer | undefined;
  try {
    server = await createServer(config, { log: silentLogger });
    const url = await server.listen();
    console.log(`stress: server ${url}, schema ${server.schema}, ${clients} clients, ${operations} operations, seed ${seed}`);
    const t0 = Date.now();
    const load = await runLoad({ url, apiKey: config.apiKey, clients, operations, deadlineMs, seed, log: (l) => console.log(`stress: ${l}`) });
    const seconds = (Date.now() - t0) / 1000;
    const verdict = await verify(server.db, load.ledger);
    const summary = {
      clients: load.clients,
      operations: load.operations,
      seconds: Math.round(seconds * 10) / 10,
      byKind: load.byKind,
      conversations: load.conversations,
      distinctRaces: load.distinctRaces,
      acknowledgedMessages: load.ledger.ackedMessages.size,
      storedMessages: verdict.storedMessages,
      storedButNotAcknowledged: verdict.storedNotAcked,
      unexpectedResponses: load.unexpected.length,
      violations: verdict.problems.length,
      hitDeadline: load.hitDeadline,
    };
    console.log(JSON.stringify(summary, null, 2));
    if (load.unexpected.length > 0) console.error(`stress: UNEXPECTED RESPONSES\n  ${load.unexpected.join('\n  ')}`);
    if (verdict.problems.length > 0) console.error(`stress: VIOLATIONS\n${verdict.problems.join('\n')}`);
    if (load.hitDeadline) console.error(`stress: deadline hit after ${load.operations} of ${operations} operations`);
    return load.unexpected.length > 0 || verdict.problems.length > 0 || load.hitDeadline ? 1 : 0;
  } catch (err) {
    console.error(`stress: run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 2;
  } finally {
    await server?.close().catch(() => undefined);
    const admin = await openDriver(databaseUrl, 'public');
    await admin.query(`DROP SCHEMA IF EXISTS "app_${appName}" CASCADE`).catch(() => undefined);
    await admin.query(`DROP SCHEMA IF EXISTS "${server?.schema ?? `app_${appName}`}" CASCADE`).catch(() => undefined);
    await admin.close();
    await fs.rm(assetDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
