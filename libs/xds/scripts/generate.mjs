#!/usr/bin/env node
// Regenerates the TypeScript for proto/**/*.proto into src/gen with buf (from the npm package
// @bufbuild/buf) and the local protoc-gen-es plugin, then formats it with the workspace's prettier
// config so that the checked-in code passes `prettier --check` (and lints clean).
//   node scripts/generate.mjs           write src/gen
//   node scripts/generate.mjs --check   exit 1 when src/gen is not what the protos generate
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const genDir = join(pkgDir, 'src', 'gen');
const bin = join(pkgDir, 'node_modules', '.bin');
const check = process.argv.includes('--check');

function listFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

const tmp = mkdtempSync(join(tmpdir(), 'xds-gen-'));
try {
  execFileSync(join(bin, 'buf'), ['generate', '--template', 'buf.gen.yaml', '-o', tmp], {
    cwd: pkgDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
  });
  const outDir = join(tmp, 'src', 'gen');
  const wanted = new Map();
  for (const file of listFiles(outDir)) {
    const target = join(genDir, file);
    const options = (await prettier.resolveConfig(target)) ?? {};
    // The generated code lints clean; protoc-gen-es's blanket eslint-disable would only be reported as unused.
    const source = readFileSync(join(outDir, file), 'utf8').replace('/* eslint-disable */\n', '');
    const text = await prettier.format(source, { ...options, filepath: target });
    wanted.set(file, text);
  }
  const existing = listFiles(genDir);
  if (check) {
    const stale = [
      ...[...wanted]
        .filter(([f, t]) => !existing.includes(f) || readFileSync(join(genDir, f), 'utf8') !== t)
        .map(([f]) => f),
      ...existing.filter((f) => !wanted.has(f)),
    ];
    if (stale.length > 0) {
      console.error(
        `src/gen is out of date (${stale.join(', ')}); run: pnpm --filter @agentplane/xds generate`,
      );
      process.exitCode = 1;
    } else {
      console.log(`src/gen is up to date (${wanted.size} files)`);
    }
  } else {
    for (const f of existing) if (!wanted.has(f)) rmSync(join(genDir, f));
    for (const [f, t] of wanted) {
      mkdirSync(dirname(join(genDir, f)), { recursive: true });
      writeFileSync(join(genDir, f), t);
    }
    console.log(`wrote ${wanted.size} files to src/gen`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
