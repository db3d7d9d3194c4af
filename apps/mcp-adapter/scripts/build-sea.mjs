#!/usr/bin/env node
// Builds the self-contained stdio adapter: one CommonJS bundle of src/main.ts (esbuild, straight
// from the workspace's TypeScript sources), then a Node single executable application: the
// running node binary with the bundle injected (node --experimental-sea-config + postject).
//   node scripts/build-sea.mjs [--bundle-only] [--out <dir>]
// Output (default dir dist/sea/): mcp-adapter.cjs (runs with plain node) and mcp-adapter (the
// executable, for the platform of the node that runs this script).
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 && process.argv[outFlag + 1] ? process.argv[outFlag + 1] : join(root, 'dist', 'sea');
const bundle = join(out, 'mcp-adapter.cjs');
const exe = join(out, 'mcp-adapter');
const started = Date.now();
const mb = (f) => `${(statSync(f).size / 1024 / 1024).toFixed(1)} MiB`;

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'src/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'linked',
  // Workspace packages resolve to their sources, as in tests.
  conditions: ['@agentplane/source'],
  // Only development loggers load pino-pretty; the adapter never asks for one.
  external: ['pino-pretty'],
  // import.meta.url has no meaning in a CommonJS bundle; give it the bundle's own URL.
  define: { 'import.meta.url': '__bundle_url' },
  banner: { js: "const __bundle_url = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
console.log(`bundle ${bundle} (${mb(bundle)})`);
if (process.argv.includes('--bundle-only')) process.exit(0);

const blob = join(out, 'sea-prep.blob');
const seaConfig = join(out, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }),
);
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
execFileSync(
  process.execPath,
  [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
rmSync(blob);
rmSync(seaConfig);
console.log(`executable ${exe} (${mb(exe)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
