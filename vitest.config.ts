// One test run for the whole workspace: every app, lib and the e2e suite is a vitest project.
// Workspace packages resolve to their TypeScript sources (the "@agentplane/source" export
// condition), so tests never depend on a stale build.
import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const conditions = ['@agentplane/source', 'node', 'import', 'module', 'default'];
// Workers get these as Node --conditions flags: keep "import" out of them, or require() of a
// dual package (pg requiring pg-pool) would load its ES module build.
const ssrConditions = ['@agentplane/source', 'node'];

function projectsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${dir}/${d.name}/package.json`))
    .map((d) => `${dir}/${d.name}`);
}

const roots = [
  ...projectsUnder('libs'),
  ...projectsUnder('apps'),
  ...(existsSync('e2e/package.json') ? ['e2e'] : []),
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions: ssrConditions, externalConditions: ['@agentplane/source'] } },
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: roots.map((root) => ({
      extends: true,
      test: {
        name: root.split('/').pop() ?? root,
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
