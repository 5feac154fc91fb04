/**
 * `npm run bench`: the whole benchmark in one bounded run on loopback (see docs/performance.md).
 * Writes bench/results/<section>.json and bench/results/summary.json, and docs/bench-summary.md.
 * Sizes come from the environment (BENCH_QUICK=1 for a ~2 minute run); see bench/config.ts.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { closeAgent } from './lib/api';
import { fanOut, getMessagesAndMarkRead, idleSockets, sendThroughput, statementsPerSend, type Ctx } from './sections';
import { CONFIG } from './config';
import { writeSummary } from './report';
import pg from 'pg';


const RESULTS = path.join(__dirname, 'results');

async function main(): Promise<void> {
  const started = Date.now();
  const appName = `bench_${randomBytes(5).toString('hex')}`;
  const ctx: Ctx = { config: CONFIG, appName, schema: `app_${appName}`, log: (m) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${m}\n`) };
  await fs.mkdir(RESULTS, { recursive: true });
  ctx.log(`bench ${CONFIG.quick ? '(quick) ' : ''}app ${appName} on ${CONFIG.databaseUrl}`);
  const results: Record<string, unknown> = {};
  const section = async (name: string, fn: () => Promise<unknown>) => {
    if (CONFIG.sections && !CONFIG.sections.includes(name)) return;
    try {
      results[name] = await fn();
    } catch (err) {
      ctx.log(`${name} FAILED: ${(err as Error).stack}`);
      results[name] = { error: String((err as Error).message) };
    }
    await fs.writeFile(path.join(RESULTS, `${name}.json`), `${JSON.stringify({ config: CONFIG, result: results[name] }, null, 2)}\n`);
  };
  try {
    await section('send', () => sendThroughput(ctx));
    await section('fanout', () => fanOut(ctx));
    await section('read', () => getMessagesAndMarkRead(ctx));
    await section('statements', () => statementsPerSend(ctx));
    await section('idle-websockets', () => idleSockets(ctx));
  } finally {
    const admin = new pg.Client({ connectionString: CONFIG.databaseUrl });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${ctx.schema}" CASCADE`);
    await admin.end();
    closeAgent();
  }
  if (CONFIG.sections) {
    // A partial run: its section files are written, the summary and the README table are not.
    ctx.log('done (partial run: summary.json and docs/bench-summary.md left as they were)');
    return;
  }
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    config: CONFIG,
    elapsedS: Math.round((Date.now() - started) / 1000),
    results,
  };
  await fs.writeFile(path.join(RESULTS, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const table = await writeSummary(summary, path.join(__dirname, '..', 'docs', 'bench-summary.md'));
  process.stdout.write(`\n${table}\n`);
  ctx.log('done');
}

function machine(): Record<string, unknown> {

  const os = require('node:os') as typeof import('node:os');
  return { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
