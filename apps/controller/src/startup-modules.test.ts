// What the built controller loads when it runs on PostgreSQL: the parts it does not use there
// (the embedded PGlite, the OpenTelemetry SDK and exporters, the agentgateway.dev schemas and the
// upstream Kubernetes validators) stay unloaded, which keeps its memory down.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@agentplane/testing/postgres';

const MAIN = join(import.meta.dirname, '..', 'dist', 'main.js');
const RECORDER = join(import.meta.dirname, 'testdata', 'record-modules.mjs');
const databaseUrl = process.env['DATABASE_URL'];

/** The npm packages among the files, by name. */
function packagesOf(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    const at = file.lastIndexOf('/node_modules/');
    if (at < 0) continue;
    const [scope, name] = file.slice(at + '/node_modules/'.length).split('/');
    if (scope) names.add(scope.startsWith('@') ? `${scope}/${name}` : scope);
  }
  return names;
}

describe.skipIf(!existsSync(MAIN) || !databaseUrl)('controller startup on PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'controller-modules-'));
  let db: TestDatabase | undefined;
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens the database without loading PGlite, tracing, agentgateway schemas or core-type validators', async () => {
    const created = await createTestDatabase({ url: databaseUrl, namePrefix: 'controller_modules' });
    db = created;
    if (created.kind !== 'postgres') throw new Error('expected a PostgreSQL test database');
    const record = join(dir, 'modules.txt');
    // The database opens first; the missing kubeconfig then stops the controller (exit 1).
    const run = promisify(execFile)(
      process.execPath,
      [
        '--import',
        RECORDER,
        MAIN,
        'run',
        '--database-url',
        created.url,
        '--metrics-port',
        '0',
        '--api-port',
        '0',
      ],
      {
        env: {
          PATH: process.env['PATH'] ?? '',
          KUBECONFIG: join(dir, 'missing-kubeconfig'),
          RECORD_MODULES: record,
          LOG_LEVEL: 'info',
        },
      },
    );
    const failure = (await run.then(
      () => undefined,
      (err: unknown) => err,
    )) as { code?: number; stdout?: string; stderr?: string } | undefined;
    expect(failure?.code, 'the controller should stop at the missing kubeconfig').toBe(1);
    expect(failure?.stderr).toContain('missing-kubeconfig');
    expect(failure?.stdout).toContain('database opened');

    const files = readFileSync(record, 'utf8').split('\n');
    const packages = packagesOf(files);
    expect(packages).toContain('pg');
    for (const unused of [
      '@electric-sql/pglite',
      '@opentelemetry/sdk-trace',
      '@opentelemetry/exporter-trace-otlp-http',
      '@opentelemetry/exporter-trace-otlp-grpc',
      '@grpc/grpc-js',
      'kubernetes-models',
      'ajv-formats-draft2019',
    ]) {
      expect(packages, `${unused} should not be loaded`).not.toContain(unused);
    }
    expect(files.filter((f) => f.includes('/libs/crds/dist/agentgateway/'))).toEqual([]);
  });
});
