import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMCPServer, type MCPServer, type MCPServerInput } from '@agentplane/crds';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { adapterConfigSchema } from './adapter-config.js';
import { readyCondition } from './ready-condition.js';
import type { ReferencedObject } from './referenced-objects.js';
import { McpServerTranslateError } from './translate-error.js';
import { referencedNames, translateMCPServer, type TranslateResult } from './translate-mcp-server.js';
import type { TranslateOptions } from './translate-options.js';

// Each folder under testdata/ holds input.yaml (the MCPServer, then the Secrets and ConfigMaps of
// its namespace), optionally options.json, and expected.yaml (the whole result).
// UPDATE_GOLDEN=1 rewrites expected.yaml; review the diff before keeping it.
const TESTDATA = join(import.meta.dirname, 'testdata');
const update = process.env.UPDATE_GOLDEN === '1';

function parse(input: MCPServerInput | Record<string, unknown>): MCPServer {
  const r = parseMCPServer(input);
  if (!r.ok) throw r.error;
  return r.value;
}

function load(dir: string): { server: MCPServer; refs: ReferencedObject[][]; options: TranslateOptions } {
  const docs = parseAllDocuments(readFileSync(join(dir, 'input.yaml'), 'utf8')).map(
    (d) => d.toJS() as Record<string, unknown> & ReferencedObject,
  );
  const [first, ...rest] = docs;
  if (!first) throw new Error(`${dir}: empty input`);
  const optionsFile = join(dir, 'options.json');
  return {
    server: parse(first),
    refs: [rest.filter((d) => d.kind === 'Secret'), rest.filter((d) => d.kind === 'ConfigMap')],
    options: existsSync(optionsFile)
      ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as TranslateOptions)
      : {},
  };
}

function find<T>(r: TranslateResult, kind: string): T {
  if (!r.ok) throw new Error('no objects');
  const o = r.objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`no ${kind}`);
  return o as unknown as T;
}

describe('translateMCPServer golden files', () => {
  const cases = readdirSync(TESTDATA, { withFileTypes: true }).filter((d) => d.isDirectory());
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const c of cases) {
    it(c.name, () => {
      const dir = join(TESTDATA, c.name);
      const { server, refs, options } = load(dir);
      const result = translateMCPServer(server, { secrets: refs[0], configMaps: refs[1] }, options);
      const actual = stringify(result, { lineWidth: 0 });
      const file = join(dir, 'expected.yaml');
      if (update || !existsSync(file)) writeFileSync(file, actual);
      expect(actual).toBe(readFileSync(file, 'utf8'));
      // Same input, same output (the config hash included).
      expect(
        stringify(translateMCPServer(server, { secrets: refs[0], configMaps: refs[1] }, options), {
          lineWidth: 0,
        }),
      ).toBe(actual);
    });
  }
});

describe('translateMCPServer', () => {
  const base = (): MCPServerInput => ({
    apiVersion: 'kagent.dev/v1alpha1',
    kind: 'MCPServer',
    metadata: { name: 'x', namespace: 'ns', uid: 'u-1', generation: 4 },
    spec: { deployment: { cmd: 'npx', args: ['-y', 'pkg'] } },
  });

  it('writes an adapter config the adapter accepts', () => {
    const r = translateMCPServer(parse(base()));
    const cm = find<{ data: Record<string, string> }>(r, 'ConfigMap');
    const cfg = adapterConfigSchema.parse(JSON.parse(cm.data['config.json'] ?? ''));
    expect(cfg).toEqual({ port: 3000, cmd: 'npx', args: ['-y', 'pkg'], childMode: 'per-session' });
  });

  it('rolls the pods when a referenced Secret changes', () => {
    const s = base();
    s.spec.deployment.secretRefs = [{ name: 'k' }];
    const server = parse(s);
    const hash = (v: string) => {
      const d = find<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(
        translateMCPServer(server, { secrets: [{ metadata: { name: 'k' }, data: { A: v } }] }),
        'Deployment',
      );
      return d.spec.template.metadata.annotations['kagent.dev/config-hash'];
    };
    expect(hash('YQ==')).toMatch(/^[0-9a-f]{16}$/);
    expect(hash('YQ==')).not.toBe(hash('Yg=='));
  });

  it('lists the names to read and watch', () => {
    const s = base();
    s.spec.deployment.secretRefs = [{ name: 'a' }, { name: 'a' }];
    s.spec.deployment.configMapRefs = [{ name: 'c' }];
    expect(referencedNames(parse(s))).toEqual({ secrets: ['a'], configMaps: ['c'] });
  });

  it('recovers once the missing Secret exists', () => {
    const s = base();
    s.spec.deployment.secretRefs = [{ name: 'late' }];
    const server = parse(s);
    const before = translateMCPServer(server);
    expect(before.ok).toBe(false);
    expect(before.conditions.find((c) => c.type === 'ResolvedRefs')).toMatchObject({
      status: 'False',
      reason: 'RefNotFound',
      message: 'Secret "late" not found in namespace ns',
      observedGeneration: 4,
    });
    const after = translateMCPServer(server, { secrets: [{ metadata: { name: 'late' } }] });
    expect(after.ok).toBe(true);
    expect(after.conditions.map((c) => `${c.type}=${c.status}`)).toEqual([
      'Accepted=True',
      'ResolvedRefs=True',
      'Programmed=True',
    ]);
  });

  const rejected: [string, (s: MCPServerInput) => void, string][] = [
    ['stdio without cmd', (s) => void (s.spec.deployment.cmd = undefined), 'spec.deployment.cmd is required'],
    [
      'no image for an unknown command',
      (s) => void (s.spec.deployment.cmd = 'my-server'),
      'no default image for command "my-server"',
    ],
    [
      'http without image or cmd',
      (s) => {
        s.spec.transportType = 'http';
        s.spec.deployment.cmd = undefined;
      },
      'spec.deployment.image is required when spec.deployment.cmd is empty',
    ],
    [
      'port out of range',
      (s) => void (s.spec.deployment.port = 70000),
      'spec.deployment.port must be 1-65535',
    ],
    [
      'bad child mode annotation',
      (s) => void (s.metadata.annotations = { 'agentplane.dev/stdio-child-mode': 'pooled' }),
      'must be one of per-session, shared (got "pooled")',
    ],
    [
      'reserved volume name',
      (s) => void (s.spec.deployment.volumes = [{ name: 'mcp-adapter-bin', emptyDir: {} }]),
      'volumes[0].name "mcp-adapter-bin" is reserved',
    ],
    [
      'mount over the adapter',
      (s) => {
        s.spec.deployment.volumes = [{ name: 'v', emptyDir: {} }];
        s.spec.deployment.volumeMounts = [{ name: 'v', mountPath: '/adapter/bin' }];
      },
      'volumeMounts[0].mountPath "/adapter/bin" is reserved',
    ],
    [
      'sidecar named like the server',
      (s) => void (s.spec.deployment.sidecars = [{ name: 'mcp-server', image: 'busybox' }]),
      'sidecars[0].name "mcp-server" is already used',
    ],
  ];
  for (const [title, mutate, message] of rejected) {
    it(`rejects ${title}`, () => {
      const s = base();
      mutate(s);
      const r = translateMCPServer(parse(s));
      expect(r.ok).toBe(false);
      const accepted = r.conditions.find((c) => c.type === 'Accepted');
      expect(accepted).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
      expect(accepted?.message).toContain(message);
      expect(r.conditions.find((c) => c.type === 'Programmed')).toMatchObject({
        status: 'False',
        reason: 'InvalidSpec',
      });
    });
  }

  it('throws a typed error when metadata the API server sets is missing', () => {
    const s = base();
    delete s.metadata.uid;
    let err: unknown;
    try {
      translateMCPServer(parse(s));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(McpServerTranslateError);
    expect((err as McpServerTranslateError).code).toBe('MISSING_METADATA');
  });
});

describe('readyCondition', () => {
  it('follows the Deployment', () => {
    expect(readyCondition(undefined, 2)).toMatchObject({ status: 'False', reason: 'DeploymentNotFound' });
    expect(
      readyCondition({ metadata: { generation: 3 }, status: { observedGeneration: 2 } }, 2),
    ).toMatchObject({ status: 'False', reason: 'DeploymentProgressing' });
    expect(
      readyCondition(
        {
          metadata: { generation: 3 },
          spec: { replicas: 2 },
          status: {
            observedGeneration: 3,
            availableReplicas: 0,
            conditions: [{ type: 'Available', status: 'False', message: 'MinimumReplicasUnavailable' }],
          },
        },
        2,
      ),
    ).toMatchObject({ status: 'False', message: '0/2 replicas available: MinimumReplicasUnavailable' });
    expect(
      readyCondition(
        {
          metadata: { generation: 3 },
          spec: { replicas: 2 },
          status: {
            observedGeneration: 3,
            availableReplicas: 1,
            conditions: [{ type: 'Available', status: 'True' }],
          },
        },
        2,
      ),
    ).toEqual({
      type: 'Ready',
      status: 'True',
      reason: 'DeploymentAvailable',
      message: '1/2 replicas available',
      observedGeneration: 2,
    });
  });
});
