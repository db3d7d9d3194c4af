// The module boundaries the design promises are enforced by lint, not by convention: a lib that
// imports an app, a leaf lib that imports another lib, or production code that imports the test
// kit fails `pnpm lint`.
import { ESLint } from 'eslint';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The first test file of a package, found on disk (the boundary rule only knows files nx has seen). */
function someTestFile(pkg: string): string {
  const found = readdirSync(join(repoRoot, pkg, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .sort()[0];
  if (!found) throw new Error(`${pkg} has no test file to probe with`);
  return join(pkg, 'src', found);
}

/**
 * Lints `code` as if it were the content of an existing file of the workspace (the rule maps
 * files to projects through the nx project graph, so the path must be one nx knows). Type
 * information is not needed by the boundary rule, so it is switched off for speed.
 */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot, overrideConfig: [tseslint.configs.disableTypeChecked] });
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, filePath) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
    .map((m) => m.message);
}

describe('module boundaries', () => {
  // The rule reads the cached nx project graph (any nx command writes it; `pnpm lint` runs
  // through nx, so it always has one). Make sure it exists, and is current, for these probes.
  beforeAll(() => {
    execFileSync('pnpm', ['exec', 'nx', 'show', 'projects'], {
      cwd: repoRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
  }, 120_000);

  it('a leaf lib may not import another lib of ours', async () => {
    const errors = await boundaryErrors(
      'libs/crds/src/index.ts',
      "import { createLogger } from '@agentplane/telemetry';\nexport const probe = createLogger;\n",
    );
    expect(errors.join('\n')).toMatch(/scope:leaf|can only depend on/);
  });

  it('production code may not import the test kit, while tests may', async () => {
    const code = "import { waitFor } from '@agentplane/testing/wait';\nexport const probe = waitFor;\n";
    expect((await boundaryErrors('libs/telemetry/src/index.ts', code)).length).toBeGreaterThan(0);
    expect(await boundaryErrors(someTestFile('libs/telemetry'), code)).toEqual([]);
  });

  it('a lib may not import an app, by package name or by path', async () => {
    const byName = await boundaryErrors(
      'libs/telemetry/src/index.ts',
      "import cli from '@agentplane/cli/package.json';\nexport const probe = cli;\n",
    );
    expect(byName.length).toBeGreaterThan(0);
    const byPath = await boundaryErrors(
      'libs/telemetry/src/index.ts',
      "import cli from '../../../apps/cli/package.json';\nexport const probe = cli;\n",
    );
    expect(byPath.length).toBeGreaterThan(0);
  });
});
