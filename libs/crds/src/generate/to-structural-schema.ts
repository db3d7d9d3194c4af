import { z } from 'zod';
import { PARSE_ONLY_DEFAULT } from '../common/meta.js';
import type { JsonSchema, JsonValue } from '../k8s/json-schema.js';
import { K8S_SCHEMA_META_KEY, k8sSchemaDefinition } from '../k8s/k8s-type.js';

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Integer bounds zod adds for its integer types; a CRD states no such bounds. */
const IMPLICIT_BOUNDS = new Set([-9007199254740991, 9007199254740991, -2147483648, 2147483647]);

/** Inlines a derived Kubernetes core-type schema, resolving its `$ref` names. */
function inlineCoreSchema(name: string, seen: readonly string[] = []): JsonSchema {
  if (seen.includes(name)) throw new Error(`cyclic core type ${[...seen, name].join(' → ')}`);
  const def = k8sSchemaDefinition(name);
  if (!def) throw new Error(`no derived schema for core type ${name}`);
  const resolve = (node: JsonValue): JsonValue => {
    if (Array.isArray(node)) return node.map(resolve);
    if (!isObject(node)) return node;
    const ref = node['$ref'];
    if (typeof ref === 'string') return inlineCoreSchema(ref, [...seen, name]);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve(def) as JsonSchema;
}

/**
 * Rewrites a JSON schema produced by zod into a Kubernetes structural schema: core types are
 * replaced by their derived schemas, parse-only defaults and zod's implicit integer bounds are
 * dropped, and keywords a CRD does not accept are removed. Properties are sorted for stable output.
 */
function structural(node: JsonValue, path: string): JsonValue {
  if (Array.isArray(node)) return node.map((n, i) => structural(n, `${path}[${i}]`));
  if (!isObject(node)) return node;

  const coreName = node[K8S_SCHEMA_META_KEY];
  if (typeof coreName === 'string') {
    const inlined = inlineCoreSchema(coreName);
    return typeof node['description'] === 'string'
      ? { description: node['description'], ...inlined }
      : inlined;
  }
  for (const bad of ['anyOf', 'oneOf', 'allOf', 'not', '$ref', 'const']) {
    if (bad in node)
      throw new Error(`${path || '<root>'}: "${bad}" cannot be expressed in a structural schema`);
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    switch (key) {
      case '$schema':
      case 'propertyNames':
      case PARSE_ONLY_DEFAULT:
        continue;
      case 'default':
        if (node[PARSE_ONLY_DEFAULT] === true) continue;
        out[key] = value;
        continue;
      case 'additionalProperties':
        if (value === false || 'properties' in node) continue;
        out[key] = structural(value, `${path}{}`);
        continue;
      case 'minimum':
      case 'maximum':
        if (typeof value === 'number' && IMPLICIT_BOUNDS.has(value)) continue;
        out[key] = value;
        continue;
      case 'pattern':
        // zod adds a pattern to formatted strings; the format says it.
        if (node['format'] === 'date-time') continue;
        out[key] = value;
        continue;
      case 'properties': {
        const props = isObject(value) ? value : {};
        out[key] = Object.fromEntries(
          Object.keys(props)
            .sort()
            .map((k) => [k, structural(props[k] ?? {}, `${path}.${k}`)]),
        );
        continue;
      }
      case 'items':
        out[key] = structural(value, `${path}[]`);
        continue;
      default:
        out[key] = value;
    }
  }
  if (Array.isArray(out['required']) && out['required'].length === 0) delete out['required'];
  return out;
}

/** The structural schema of a zod schema, as a CRD's `openAPIV3Schema` fragment. */
export function toStructuralSchema(schema: z.ZodType, path = ''): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'throw',
    target: 'draft-2020-12',
  }) as JsonValue;
  return structural(json, path) as JsonSchema;
}
