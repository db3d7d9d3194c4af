// Derives structural JSON schemas for the Kubernetes core types our CRDs embed, from two
// maintained npm packages: the field list, types and formats come from @kubernetes/client-node's
// generated models; required fields and quantity-typed fields are found by probing the
// upstream validators that kubernetes-models ships. Descriptions are not copied.
//
// Run from libs/crds: node scripts/derive-k8s-schemas.ts
// Writes src/k8s/core-schemas.generated.ts (checked in; regenerate after upgrading either package).
import { writeFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';

type Json = Record<string, unknown>;
interface Attr {
  baseName: string;
  type: string;
  format: string;
}
interface ValidateFn {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; params: Record<string, unknown> }[] | null;
}
interface ModelClass {
  getAttributeTypeMap(): Attr[];
}

const ROOTS: Record<string, string> = {
  V1Container: 'IoK8sApiCoreV1Container',
  V1EnvVar: 'IoK8sApiCoreV1EnvVar',
  V1EnvFromSource: 'IoK8sApiCoreV1EnvFromSource',
  V1ResourceRequirements: 'IoK8sApiCoreV1ResourceRequirements',
  V1Volume: 'IoK8sApiCoreV1Volume',
  V1VolumeMount: 'IoK8sApiCoreV1VolumeMount',
  V1SecurityContext: 'IoK8sApiCoreV1SecurityContext',
  V1PodSecurityContext: 'IoK8sApiCoreV1PodSecurityContext',
  V1Affinity: 'IoK8sApiCoreV1Affinity',
  V1Toleration: 'IoK8sApiCoreV1Toleration',
  V1LocalObjectReference: 'IoK8sApiCoreV1LocalObjectReference',
  V1Probe: 'IoK8sApiCoreV1Probe',
  V1LabelSelector: 'IoK8sApimachineryPkgApisMetaV1LabelSelector',
  V1Condition: 'IoK8sApimachineryPkgApisMetaV1Condition',
};

const schemaNames = [
  'kubernetes-models/_schemas/IoK8sApiCoreV1Container',
  '@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1LabelSelector',
].flatMap((spec) =>
  readdirSync(path.dirname(fileURLToPath(import.meta.resolve(spec))))
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3)),
);

function idFor(className: string): string {
  const root = ROOTS[className];
  if (root) return root;
  const m = /^(?:Core)?(V\d[a-z0-9]*)([A-Z]\w*)$/.exec(className);
  const version = m?.[1];
  const name = m?.[2];
  if (!version || !name) throw new Error(`cannot map ${className}`);
  const ver = version.toLowerCase().replace(/^v/, 'V');
  for (const prefix of ['IoK8sApiCore', 'IoK8sApimachineryPkgApisMeta', 'IoK8sApimachineryPkgApiResource']) {
    const candidate = `${prefix}${ver}${name}`;
    if (schemaNames.includes(candidate)) return candidate;
  }
  const loose = schemaNames.filter((n) => n.endsWith(`${ver}${name}`));
  if (loose.length === 1 && loose[0]) return loose[0];
  throw new Error(`no kubernetes-models schema for ${className}: ${loose.join(', ')}`);
}

const validators = new Map<string, ValidateFn>();
async function validatorFor(id: string): Promise<ValidateFn> {
  let v = validators.get(id);
  if (!v) {
    const mod = (await import(
      id.startsWith('IoK8sApimachinery')
        ? `@kubernetes-models/apimachinery/_schemas/${id}`
        : `kubernetes-models/_schemas/${id}`
    )) as { validate: ValidateFn };
    v = mod.validate;
    validators.set(id, v);
  }
  return v;
}

function errorsAt(v: ValidateFn, data: unknown, pointer: string): NonNullable<ValidateFn['errors']> {
  v(data);
  return (v.errors ?? []).filter((e) => e.instancePath === pointer);
}

const definitions: Record<string, Json> = {};

function classOf(name: string): ModelClass {
  const cls = (k8s as unknown as Record<string, ModelClass | undefined>)[name];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function') throw new Error(`no client-node model ${name}`);
  return cls;
}

async function typeSchema(
  type: string,
  format: string,
  v: ValidateFn,
  probe: (leaf: unknown) => unknown,
  pointer: string,
): Promise<Json> {
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr?.[1]) {
    return {
      type: 'array',
      items: await typeSchema(arr[1], format, v, (leaf) => probe([leaf]), `${pointer}/0`),
    };
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map?.[1]) {
    return {
      type: 'object',
      additionalProperties: await typeSchema(map[1], format, v, (leaf) => probe({ k: leaf }), `${pointer}/k`),
    };
  }
  switch (type) {
    case 'string': {
      // A quantity accepts numbers as well as strings.
      if (errorsAt(v, probe(1), pointer).length === 0) {
        return { 'x-kubernetes-int-or-string': true, pattern: QUANTITY_PATTERN };
      }
      return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    }
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'number':
      return format === 'int32' || format === 'int64'
        ? { type: 'integer', format }
        : { type: 'number', format: format || undefined };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
    case 'object':
      return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'V1ObjectMeta':
      // Embedded object metadata: kept as an opaque object, as controller-gen does.
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    default: {
      await defineModel(type, v, probe, pointer);
      return { $ref: idFor(type) };
    }
  }
}

async function defineModel(
  className: string,
  v: ValidateFn,
  probe: (leaf: unknown) => unknown,
  pointer: string,
): Promise<void> {
  const id = idFor(className);
  if (definitions[id]) return;
  definitions[id] = {}; // placeholder against recursion
  const attrs = classOf(className).getAttributeTypeMap();
  const required = errorsAt(v, probe({}), pointer)
    .filter((e) => e.keyword === 'required')
    .map((e) => String(e.params['missingProperty']))
    .sort();
  const properties: Record<string, Json> = {};
  for (const a of [...attrs].sort((x, y) => x.baseName.localeCompare(y.baseName))) {
    properties[a.baseName] = await typeSchema(
      a.type,
      a.format,
      v,
      (leaf) => probe({ [a.baseName]: leaf }),
      `${pointer}/${a.baseName}`,
    );
  }
  const schema: Json = { type: 'object', properties };
  if (required.length > 0) schema['required'] = required;
  definitions[id] = JSON.parse(JSON.stringify(schema)) as Json;
}

const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

for (const [className, id] of Object.entries(ROOTS)) {
  const v = await validatorFor(id);
  await defineModel(className, v, (leaf) => leaf, '');
}

const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b)));
const out = path.resolve(import.meta.dirname, '../src/k8s/core-schemas.generated.ts');
const source =
  `// Generated by scripts/derive-k8s-schemas.ts from @kubernetes/client-node and kubernetes-models. Do not edit.\n` +
  `// Structural JSON schemas of Kubernetes core types, keyed by kubernetes-models schema name; "$ref" names another key.\n` +
  `import type { JsonSchema } from './json-schema.js';\n\n` +
  `export const coreSchemas: Readonly<Record<string, JsonSchema>> = ${JSON.stringify(sorted, null, 2)};\n`;
const prettier = await import('prettier');
writeFileSync(out, await prettier.format(source, { ...(await prettier.resolveConfig(out)), filepath: out }));
console.log(`wrote ${Object.keys(sorted).length} definitions to ${out}`);
