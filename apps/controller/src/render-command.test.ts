import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import type { CliIo } from './cli-io.js';

function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) dir = path.dirname(dir);
  return dir;
}
const golden = path.resolve(repoRoot(), '..', 'shared', 'reference', 'kagent-golden');

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readStdin: () => Promise.resolve(''),
  };
}

interface Output {
  agentCard: unknown;
  config: unknown;
  manifest: {
    kind: string;
    spec?: {
      template?: {
        metadata: { annotations: Record<string, string> };
        spec: { containers: Record<string, unknown>[] };
      };
    };
  }[];
}

/** Drops the three allowed differences: image, runtime command line, hash. */
function normalize(o: Output): Output {
  const copy = structuredClone(o);
  for (const obj of copy.manifest) {
    const t = obj.spec?.template;
    if (!t) continue;
    t.metadata.annotations['kagent.dev/config-hash'] = '<hash>';
    for (const c of t.spec.containers) {
      c['image'] = '<image>';
      delete c['command'];
      delete c['args'];
    }
  }
  return copy;
}

describe('controller render', () => {
  it('prints the golden output for a golden input', async () => {
    const cli = io();
    const status = await runCli(
      ['render', '-f', path.join(golden, 'inputs', 'agent_with_nested_agent.yaml')],
      cli,
    );
    expect(cli.err.join('')).toBe('');
    expect(status).toBe(0);
    const actual = JSON.parse(cli.out.join('')) as Output;
    const expected = JSON.parse(
      readFileSync(path.join(golden, 'outputs', 'agent_with_nested_agent.json'), 'utf8'),
    ) as Output;
    expect(normalize(actual)).toEqual(normalize(expected));
    const container = actual.manifest.find((m) => m.kind === 'Deployment')?.spec?.template?.spec
      .containers[0];
    expect(container?.['image']).toBe('ghcr.io/agentplane/agent-runtime:0.1.0');
  });

  it('exits 1 naming the field when the Agent does not translate', async () => {
    const cli = io();
    cli.readStdin = () =>
      Promise.resolve(
        [
          'operation: translateAgent',
          'targetObject: a',
          'namespace: ns',
          'objects:',
          '  - {apiVersion: kagent.dev/v1alpha2, kind: Agent, metadata: {name: a, namespace: ns}, spec: {declarative: {systemMessage: hi, modelConfig: missing}}}',
        ].join('\n'),
      );
    expect(await runCli(['render', '-f', '-'], cli)).toBe(1);
    expect(cli.err.join('')).toContain(
      'ModelConfigNotFound: spec.declarative.modelConfig: ModelConfig ns/missing not found',
    );
  });

  it('exits 2 on a usage error or an unreadable file', async () => {
    expect(await runCli(['render'], io())).toBe(2);
    expect(await runCli(['render', '-f', '/nonexistent.yaml'], io())).toBe(2);
  });

  const main = path.join(repoRoot(), 'apps', 'controller', 'dist', 'main.js');
  it.skipIf(!existsSync(main))(
    'runs as the built app (node apps/controller/dist/main.js render)',
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        main,
        'render',
        '-f',
        path.join(golden, 'inputs', 'basic_agent.yaml'),
      ]);
      expect((JSON.parse(stdout) as Output).agentCard).toEqual(
        (JSON.parse(readFileSync(path.join(golden, 'outputs', 'basic_agent.json'), 'utf8')) as Output)
          .agentCard,
      );
    },
  );
});
