import { describe, expect, it } from 'vitest';
import { resourceDefinitions } from '../resource-definitions.js';
import { goldenInputs, upstreamSchema } from '../testdata/reference.js';
import { buildCrd } from './build-crds.js';

type Schema = Record<string, unknown>;
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every property path of a schema under `spec`, e.g. `.spec.tools[].mcpServer.name`, `.spec.labels{}`. */
function schemaPaths(schema: Schema, path: string, out: Set<string>): Set<string> {
  out.add(path);
  const props = schema['properties'];
  if (isObject(props))
    for (const [k, v] of Object.entries(props)) if (isObject(v)) schemaPaths(v, `${path}.${k}`, out);
  if (isObject(schema['items'])) schemaPaths(schema['items'], `${path}[]`, out);
  if (isObject(schema['additionalProperties'])) schemaPaths(schema['additionalProperties'], `${path}{}`, out);
  return out;
}

/** The schema paths a manifest uses, following the upstream schema for maps and lists. */
function usedPaths(value: unknown, schema: Schema | undefined, path: string, out: Set<string>): void {
  out.add(path);
  if (!schema) return;
  if (Array.isArray(value)) {
    const items = isObject(schema['items']) ? schema['items'] : undefined;
    for (const v of value) usedPaths(v, items, `${path}[]`, out);
  } else if (isObject(value)) {
    const props = isObject(schema['properties']) ? schema['properties'] : undefined;
    const additional = isObject(schema['additionalProperties']) ? schema['additionalProperties'] : undefined;
    for (const [k, v] of Object.entries(value)) {
      if (props && isObject(props[k])) usedPaths(v, props[k], `${path}.${k}`, out);
      else if (additional) usedPaths(v, additional, `${path}{}`, out);
      else if (!props && !additional)
        continue; // opaque upstream too
      else out.add(`${path}.${k}`);
    }
  }
}

describe('coverage of the upstream CRDs', () => {
  const golden = goldenInputs().flatMap((g) => g.objects);

  for (const def of resourceDefinitions) {
    const file = `${def.group}_${def.plural}.yaml`;
    it(`${file}: has every upstream spec and status path used by the examples`, () => {
      const upstream = upstreamSchema(file);
      const ours = buildCrd(def).spec.versions[0]?.schema.openAPIV3Schema ?? {};
      const theirs = new Set<string>();
      const mine = new Set<string>();
      for (const part of ['spec', 'status']) {
        const u = (upstream['properties'] as Schema)[part];
        const o = (ours['properties'] as Schema)[part];
        if (isObject(u)) schemaPaths(u, `.${part}`, theirs);
        if (isObject(o)) schemaPaths(o, `.${part}`, mine);
      }
      expect(theirs.size).toBeGreaterThan(5);
      const missing = [...theirs].filter((p) => !mine.has(p)).sort();
      console.log(
        `${file}: ${missing.length} upstream paths missing${missing.length ? `:\n  ${missing.join('\n  ')}` : ''}`,
      );

      const used = new Set<string>();
      for (const obj of golden.filter(
        (o) => o['kind'] === def.kind && o['apiVersion'] === `${def.group}/${def.version}`,
      )) {
        const spec = (upstream['properties'] as Schema)['spec'];
        usedPaths(obj['spec'], isObject(spec) ? spec : undefined, '.spec', used);
      }
      const topLevel = [...theirs].filter((p) => /^\.(spec|status)\.[^.[{]+$/.test(p));
      const mustHave = new Set([...topLevel, ...[...used].filter((p) => theirs.has(p))]);
      expect(missing.filter((p) => mustHave.has(p))).toEqual([]);
    });
  }
});
