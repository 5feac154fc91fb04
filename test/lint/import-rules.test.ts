import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The import rules of eslint.config.mjs refuse what the layout forbids. Each case lints one line of
 * source as if it were a file at `file` (eslint --stdin), through the project's real config.
 */
const root = path.resolve(__dirname, '../..');

function lint(file: string, source: string): { status: number | null; output: string } {
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: source,
    encoding: 'utf8',
  });
  return { status: res.status, output: res.stdout + res.stderr };
}

describe('import rules (eslint.config.mjs)', () => {
  jest.setTimeout(120_000);

  it('refuses a plugin → server import', () => {
    const res = lint('src/plugin/bad-import.ts', "import { createServer } from '../server/server';\nexport const c = createServer;\n");
    expect(res.status).toBe(1);
    expect(res.output).toContain('import-x/no-restricted-paths');
    expect(res.output).toContain('skygear-node');
  });

  it('refuses an import from a higher server layer (what would close a folder cycle)', () => {
    const res = lint('src/server/store/bad-import.ts', "import type { PathRoute } from '../http/app';\nexport type R = PathRoute;\n");
    expect(res.status).toBe(1);
    expect(res.output).toContain('src/server/store is below src/server/http');
  });

  it('refuses an import cycle between files (the rule src/ is linted with)', () => {
    // test/** is exempt from no-cycle in the config, so the rule is switched on for this fixture pair.
    const res = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/eslint/bin/eslint.js'), '--rule', '{"import-x/no-cycle": "error"}', '--format', 'json', 'test/fixtures/import-cycle/a.ts'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('import-x/no-cycle');
  });

  it('accepts the same kind of import downwards', () => {
    const res = lint('src/server/http/fine-import.ts', "import type { RecordStore } from '../store/store';\nexport type S = RecordStore;\n");
    expect(res.output).not.toContain('no-restricted-paths');
    expect(res.status).toBe(0);
  });
});
