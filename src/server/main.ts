#!/usr/bin/env node
/**
 * `npm start`: the server configured from the environment (Skygear's variable names), with defaults
 * that make a fresh checkout run: PGlite under ./data, port 3000, the chat plugin loaded in process
 * and the demo app served at /demo/.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from './core/config';
import { createLogger } from './core/log';
import { createServer } from './server';

const REPO_ROOT = path.resolve(__dirname, '../..');
/** The compiled chat plugin (dist/plugin) next to this file's directory (dist/server). */
const CHAT_PLUGIN = path.resolve(__dirname, '../plugin');
const DEFAULT_PGLITE_DIR = './data/pgdata';

function configFromEnv(env: NodeJS.ProcessEnv): Config {
  const config = loadConfig(env);
  if (env.LOAD_MODULES === undefined) config.loadModules = [CHAT_PLUGIN];
  if (env.DEMO_DIR === undefined) config.demoDir = path.join(REPO_ROOT, 'demo');
  return config;
}

function describeDatabase(url: string | undefined): string {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const safe = new URL(url);
    if (safe.password) safe.password = '***';
    return `PostgreSQL at ${safe.toString()}`;
  }
  if (url === 'memory://' || url === 'memory') return 'PGlite in memory (data is lost on exit)';
  return `PGlite in ${path.resolve((url ?? '').replace(/^(file|pglite):\/\//, '') || DEFAULT_PGLITE_DIR)}`;
}

async function main(): Promise<void> {
  const config = configFromEnv(process.env);
  const log = createLogger(config.logLevel);
  if (!config.databaseUrl) await fs.mkdir(path.dirname(path.resolve(DEFAULT_PGLITE_DIR)), { recursive: true });
  await fs.mkdir(config.assetStoreDir, { recursive: true });

  const server = await createServer(config, { log });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down…\n`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const url = await server.listen();
  const shown = url.replace('://127.0.0.1:', '://localhost:');
  const lines = [
    `Skygear-compatible server ready`,
    `  API endpoint:  ${shown}/   (app "${config.appName}", schema ${server.schema})`,
    `  Database:      ${describeDatabase(config.databaseUrl)}`,
    `  Pubsub:        ${config.redisUrl ? `Redis at ${config.redisUrl}` : 'in memory (single node)'}`,
    `  Assets:        ${path.resolve(config.assetStoreDir)} → ${server.endpoint.assetUrlPrefix}`,
    `  Modules:       ${config.loadModules.length > 0 ? config.loadModules.join(', ') : '(none)'}`,
    ...config.httpPlugins.map((p) => `  HTTP plugin:   ${p.name} at ${p.url}`),
    ...(config.demoDir ? [`  Demo:          ${shown}/demo/`] : []),
    `  Dev mode:      ${config.devMode ? 'on' : 'off'}`,
    `Press Ctrl+C to stop.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  process.stderr.write(`Server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
