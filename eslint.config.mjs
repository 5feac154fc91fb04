// Lint and the import rules that keep the layout honest (docs/architecture.md):
// - the plugin (src/plugin) imports nothing from the server: it must load unchanged under skygear-node;
// - src/protocol, the contract both sides share, imports neither side;
// - the server's folders form layers, each importing only the layers below it, so no folder cycle
//   can form (a new folder must be given its place in SERVER_LAYERS, or linting stops);
// - no file-level import cycles anywhere in src/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

const root = path.dirname(fileURLToPath(import.meta.url));

/** The server's folders, lowest first: a folder may import from those before it, never after it. */
const SERVER_LAYERS = [
  'src/server/core', // shared types and settings: Config, errors, logger, who is calling
  'src/server/db', // the two database engines behind one Driver
  'src/server/store', // records: SQL, predicates, record and field ACL, record hooks (its port)
  'src/server/auth', // users, tokens, roles (built on the store)
  'src/server/assets', // the file asset store
  'src/server/pubsub', // the realtime hub and /pubsub websocket
  'src/server/plugins', // cloud code: in process and over the plugin HTTP transport
  'src/server/http', // the HTTP API: routes, envelopes, actions
];
// Above every layer: the files in src/server itself (server.ts wires the layers, main.ts starts it).

const unplaced = fs
  .readdirSync(path.join(root, 'src/server'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && !SERVER_LAYERS.includes(`src/server/${d.name}`));
if (unplaced.length > 0) {
  throw new Error(`eslint.config.mjs: give src/server/${unplaced[0].name} its place in SERVER_LAYERS`);
}

const layerZones = SERVER_LAYERS.flatMap((layer, i) =>
  SERVER_LAYERS.slice(i + 1).map((above) => ({
    target: `./${layer}`,
    from: `./${above}`,
    message: `${layer} is below ${above} (SERVER_LAYERS in eslint.config.mjs): move the shared piece down instead.`,
  })),
);
const serverRootFiles = fs
  .readdirSync(path.join(root, 'src/server'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `./src/server/${f}`);
const rootZones = SERVER_LAYERS.map((layer) => ({
  target: `./${layer}`,
  from: serverRootFiles,
  message: 'src/server/*.ts wire the layers together; a layer must not import them.',
}));

export default tseslint.config(
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'demo/vendor/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // no-cycle reads the imported files too: it must know how to parse TypeScript.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      // `_`-prefixed parameters are kept for their position in a callback's signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/plugin',
              from: './src/server',
              message: 'The plugin must load unchanged under skygear-node: share through src/protocol instead.',
            },
            { target: './src/protocol', from: ['./src/server', './src/plugin'], message: 'src/protocol is the shared contract: it imports neither side.' },
            ...layerZones,
            ...rootZones,
          ],
        },
      ],
    },
  },
  {
    // Tests, benchmarks and scripts drive the whole system from outside: any layer, and the
    // published clients (skygear, skygear-chat), which are CommonJS without types.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      'import-x/no-cycle': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['demo/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
    // A local named like a browser global (`status`, `name`) is fine in a module.
    rules: { 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
