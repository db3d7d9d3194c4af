import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCrds } from './build-crds.js';
import { renderCrdFiles } from './render-crds.js';
import { checkCrds, hasDrift, writeCrds } from './write-crds.js';

describe('CRD generation', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crds-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is deterministic', () => {
    const a = renderCrdFiles();
    const b = renderCrdFiles();
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [name, text] of a) expect(b.get(name)).toBe(text);
  });

  it('writes one file per CRD, named group_plural.yaml', async () => {
    const written = await writeCrds(dir);
    expect(written).toContain('kagent.dev_agents.yaml');
    expect(written).toContain('agentgateway.dev_agentgatewaypolicies.yaml');
    expect((await readdir(dir)).sort()).toEqual([...written].sort());
    const agents = parse(await readFile(path.join(dir, 'kagent.dev_agents.yaml'), 'utf8')) as {
      metadata: { name: string };
      spec: {
        versions: { name: string; subresources: unknown; additionalPrinterColumns: { name: string }[] }[];
      };
    };
    expect(agents.metadata.name).toBe('agents.kagent.dev');
    expect(agents.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(agents.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual([
      'Type',
      'Runtime',
      'Ready',
      'Accepted',
    ]);
  });

  it('--check finds changed, missing and extra files', async () => {
    await writeCrds(dir);
    expect(hasDrift(await checkCrds(dir))).toBe(false);

    const file = path.join(dir, 'kagent.dev_modelconfigs.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('mc', 'mcx'));
    await rm(path.join(dir, 'kagent.dev_agents.yaml'));
    await writeFile(path.join(dir, 'kagent.dev_oldthings.yaml'), 'x');
    expect(await checkCrds(dir)).toEqual({
      changed: ['kagent.dev_modelconfigs.yaml'],
      missing: ['kagent.dev_agents.yaml'],
      extra: ['kagent.dev_oldthings.yaml'],
    });
  });

  it('produces structural schemas: every node typed, no combinators or refs', () => {
    const problems: string[] = [];
    const walk = (node: unknown, p: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (!('type' in n) && !n['x-kubernetes-int-or-string'] && !n['x-kubernetes-preserve-unknown-fields']) {
        problems.push(`${p}: no type`);
      }
      for (const bad of ['anyOf', 'oneOf', 'allOf', '$ref', 'const', 'propertyNames']) {
        if (bad in n) problems.push(`${p}: ${bad}`);
      }
      if (n['additionalProperties'] !== undefined && n['properties'] !== undefined)
        problems.push(`${p}: both`);
      for (const [k, v] of Object.entries((n['properties'] as Record<string, unknown> | undefined) ?? {}))
        walk(v, `${p}.${k}`);
      walk(n['items'], `${p}[]`);
      if (typeof n['additionalProperties'] === 'object') walk(n['additionalProperties'], `${p}{}`);
    };
    for (const crd of buildCrds()) walk(crd.spec.versions[0]?.schema.openAPIV3Schema, crd.metadata.name);
    expect(problems).toEqual([]);
  });

  it('embeds upstream Kubernetes schemas for core types and omits parse-only defaults', () => {
    const agents = buildCrds().find((c) => c.metadata.name === 'agents.kagent.dev');
    const at = (node: unknown, ...keys: string[]): Record<string, unknown> => {
      let cur = node;
      for (const k of keys) cur = (cur as Record<string, unknown>)[k];
      return cur as Record<string, unknown>;
    };
    const spec = at(agents?.spec.versions[0]?.schema.openAPIV3Schema, 'properties', 'spec');
    const deployment = at(spec, 'properties', 'declarative', 'properties', 'deployment', 'properties');
    expect(at(deployment, 'env', 'items')['required']).toEqual(['name']);
    expect(
      at(deployment, 'resources', 'properties', 'limits', 'additionalProperties')[
        'x-kubernetes-int-or-string'
      ],
    ).toBe(true);
    expect(
      at(
        deployment,
        'extraContainers',
        'items',
        'properties',
        'livenessProbe',
        'properties',
        'httpGet',
        'properties',
        'port',
      ),
    ).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(at(spec, 'properties', 'type')['default']).toBe('Declarative');
    expect(at(spec, 'properties', 'declarative', 'properties', 'modelConfig')['default']).toBeUndefined();
  });
});
