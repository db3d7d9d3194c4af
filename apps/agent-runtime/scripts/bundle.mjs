#!/usr/bin/env node
// Bundles the runtime into dist/: main.js plus chunks that are loaded only when used (a provider
// SDK, the MCP client, the A2A client for sub-agents). One minified, tree-shaken file set starts
// with far less memory than the same code loaded module by module from node_modules.
//   node scripts/bundle.mjs [--metafile]   (writes dist/meta.json for size analysis)
import { rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * `import ... from 'node:http'` in an ES module makes Node build the module's whole namespace,
 * which runs every lazy getter on it: for `node:http` that loads Node's internal fetch
 * implementation (http2, zlib, web streams, worker_threads, ...), about 13 MB of RSS for
 * nothing. Static and dynamic imports of Node built-ins are therefore served from a small
 * module that takes the built-in with `process.getBuiltinModule` and re-exports its plain
 * members, plus the few getters below that the bundle imports (importing another getter fails
 * the build: add it here if it is cheap, or load it where it is used). `require()` calls are
 * left as they are.
 */
const importedGetters = {
  'node:async_hooks': ['AsyncLocalStorage'],
  'node:fs': ['promises'],
};
const builtinsWithoutNamespace = {
  name: 'builtins-without-namespace',
  setup(b) {
    const identifier = /^[A-Za-z_$][\w$]*$/;
    b.onResolve({ filter: /^[a-z_:/0-9]+$/ }, (args) => {
      if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
      if (!isBuiltin(args.path)) return undefined;
      const id = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      // One shim per importing file, so that shims do not become chunks of their own.
      return { path: id, namespace: 'builtin', suffix: `?${args.importer}` };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, ({ path }) => {
      const getters = new Set(importedGetters[path] ?? []);
      const names = Object.entries(Object.getOwnPropertyDescriptors(process.getBuiltinModule(path)))
        .filter(
          ([name, d]) => name !== 'default' && identifier.test(name) && ('value' in d || getters.has(name)),
        )
        .map(([name]) => name);
      const m = JSON.stringify(path);
      return {
        contents: `const m = process.getBuiltinModule(${m});\nexport default m;\nexport const { ${names.join(', ')} } = m;\n`,
        loader: 'js',
      };
    });
  },
};

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
  plugins: [builtinsWithoutNamespace],
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
});
// The files are ES modules wherever dist/ is copied to (an image has no package.json above it).
writeFileSync(join(dist, 'package.json'), '{ "type": "module" }\n');
if (result.metafile) writeFileSync(join(dist, 'meta.json'), JSON.stringify(result.metafile));
