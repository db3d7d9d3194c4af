#!/usr/bin/env node
// Bundles the runtime into dist/: main.js plus chunks that are loaded only when used (a provider
// SDK, the MCP client, the A2A client for sub-agents). One minified, tree-shaken file set starts
// with far less memory than the same code loaded module by module from node_modules.
//   node scripts/bundle.mjs [--metafile]   (writes dist/meta.json for size analysis)
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const result = await build({
  entryPoints: { main: join(root, 'src/main.ts') },
  outdir: dist,
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // Workspace packages resolve to their TypeScript sources, as in tests.
  conditions: ['@agentplane/source'],
  // Only development loggers load pino-pretty; the runtime never asks for one.
  external: ['pino-pretty'],
  // CommonJS dependencies inside an ES module bundle need a `require`.
  banner: {
    js: "import { createRequire as __agentplaneRequire } from 'node:module'; const require = __agentplaneRequire(import.meta.url);",
  },
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
});
if (result.metafile) writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
