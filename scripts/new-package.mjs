#!/usr/bin/env node
// Scaffolds a workspace package with the conventions every app and lib follows.
//   node scripts/new-package.mjs lib <name> [--leaf]     -> libs/<name>  (@agentplane/<name>)
//   node scripts/new-package.mjs app <name>              -> apps/<name>  (builds to dist/main.js)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [kind, name, ...flags] = process.argv.slice(2);
if ((kind !== 'lib' && kind !== 'app') || !name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  console.error('usage: node scripts/new-package.mjs lib|app <kebab-name> [--leaf]');
  process.exit(2);
}
const dir = join(kind === 'lib' ? 'libs' : 'apps', name);
if (existsSync(dir)) {
  console.error(`${dir} already exists`);
  process.exit(1);
}
const entry = kind === 'lib' ? 'index' : 'main';
const tags =
  kind === 'lib' ? ['type:lib', ...(flags.includes('--leaf') ? ['scope:leaf'] : [])] : ['type:app'];
const pkg = {
  name: `@agentplane/${name}`,
  version: '0.1.0',
  private: true,
  type: 'module',
  ...(kind === 'lib'
    ? {
        exports: {
          '.': {
            '@agentplane/source': `./src/${entry}.ts`,
            types: `./dist/${entry}.d.ts`,
            default: `./dist/${entry}.js`,
          },
        },
      }
    : // Apps are not imported; exporting only package.json lets the project graph (and so the
      // module-boundary lint rule) recognise an import of the app for what it is.
      { exports: { './package.json': './package.json' }, bin: { [name]: './dist/main.js' } }),
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    lint: 'eslint .',
  },
  nx: { tags },
};
mkdirSync(join(dir, 'src'), { recursive: true });
writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
writeFileSync(
  join(dir, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] }, null, 2) + '\n',
);
writeFileSync(
  join(dir, 'tsconfig.build.json'),
  JSON.stringify(
    {
      extends: './tsconfig.json',
      compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [], noCheck: true },
      exclude: ['src/**/*.test.ts', 'src/**/testdata/**'],
    },
    null,
    2,
  ) + '\n',
);
writeFileSync(join(dir, 'src', `${entry}.ts`), kind === 'lib' ? 'export {};\n' : "console.log('hello');\n");
writeFileSync(join(dir, 'README.md'), `# @agentplane/${name}\n\nWhat it is, and how to run or use it.\n`);
execFileSync('pnpm', ['exec', 'prettier', '--log-level', 'warn', '--write', dir], { stdio: 'inherit' });
console.log(`created ${dir}; run pnpm install to link it`);
