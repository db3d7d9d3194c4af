import { z } from 'zod';
import { coreSchemas } from './core-schemas.generated.js';
import type { JsonSchema } from './json-schema.js';
import type { K8sTypes } from './k8s-types.js';
import { k8sValidators, upstreamValidator, type UpstreamValidationError } from './k8s-validators.js';

/** A Kubernetes definition name that {@link k8sType} supports, e.g. `io.k8s.api.core.v1.Container`. */
export type K8sTypeId = keyof typeof k8sValidators & keyof K8sTypes;

/** Metadata key under which a k8sType schema records the derived structural schema it stands for. */
export const K8S_SCHEMA_META_KEY = 'x-agentplane-k8s-schema';

/** The derived structural schema for a definition, with nested definitions still as `$ref` names. */
export function k8sSchemaDefinition(name: string): JsonSchema | undefined {
  return coreSchemas[name];
}

/** Splits a JSON pointer (`/env/0/valueFrom`) into path segments, numbers for array indexes. */
function pointerToPath(pointer: string, value: unknown): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let cursor: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cursor)) {
      const index = Number(seg);
      out.push(index);
      cursor = cursor[index];
    } else {
      out.push(seg);
      cursor = cursor && typeof cursor === 'object' ? (cursor as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function describeType(type: unknown): string {
  switch (type) {
    case 'integer':
      return 'an integer';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    default:
      return `a ${String(type)}`;
  }
}

interface MappedIssue {
  path: (string | number)[];
  message: string;
}

/** Turns the upstream validator's errors into one actionable issue per field. */
function mapErrors(errors: UpstreamValidationError[], value: unknown): MappedIssue[] {
  const byPointer = new Map<string, UpstreamValidationError[]>();
  for (const e of errors) {
    const pointer =
      e.keyword === 'required' ? `${e.instancePath}/${String(e.params['missingProperty'])}` : e.instancePath;
    const list = byPointer.get(pointer) ?? [];
    list.push(e);
    byPointer.set(pointer, list);
  }
  const issues: MappedIssue[] = [];
  for (const [pointer, list] of byPointer) {
    const path = pointerToPath(pointer, value);
    const oneOf = list.some((e) => e.keyword === 'oneOf');
    const types = list.filter((e) => e.keyword === 'type').map((e) => e.params['type']);
    let message: string;
    if (list.some((e) => e.keyword === 'required')) {
      message = 'required field is missing';
    } else if (
      oneOf &&
      types.includes('number') &&
      (types.includes('string') || list.some((e) => e.keyword === 'format' || e.keyword === 'pattern'))
    ) {
      message = 'must be a quantity: a string such as "500m" or "2Gi", or a number';
    } else if (oneOf && types.includes('integer') && types.includes('string')) {
      message = 'must be an integer or a string';
    } else if (types.length > 0) {
      message = `must be ${types.map(describeType).join(' or ')}`;
    } else {
      const first = list[0];
      message = first?.message ?? `fails the ${first?.keyword ?? 'schema'} rule`;
      if (first?.keyword === 'enum') {
        message = `must be one of: ${(first.params['allowedValues'] as unknown[]).map(String).join(', ')}`;
      }
    }
    issues.push({ path, message });
  }
  return issues;
}

/**
 * Checks the string patterns of the derived structural schema (for example the quantity syntax of
 * resource limits), which the upstream validators leave to the API server.
 */
function checkPatterns(
  schema: JsonSchema | undefined,
  value: unknown,
  path: (string | number)[],
  out: MappedIssue[],
): void {
  if (!schema || value === undefined || value === null) return;
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    checkPatterns(coreSchemas[ref], value, path, out);
    return;
  }
  const pattern = schema['pattern'];
  if (typeof pattern === 'string' && typeof value === 'string' && !new RegExp(pattern).test(value)) {
    out.push({
      path,
      message:
        schema['x-kubernetes-int-or-string'] === true
          ? `"${value}" is not a valid quantity (examples: "500m", "2Gi", "1.5", "100k")`
          : `"${value}" does not match ${pattern}`,
    });
    return;
  }
  if (Array.isArray(value)) {
    const items = schema['items'];
    if (items && typeof items === 'object' && !Array.isArray(items)) {
      value.forEach((v, i) => checkPatterns(items, v, [...path, i], out));
    }
    return;
  }
  if (typeof value === 'object') {
    const props = schema['properties'];
    const additional = schema['additionalProperties'];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const sub =
        props && typeof props === 'object' && !Array.isArray(props) && k in props
          ? (props[k] as JsonSchema)
          : additional && typeof additional === 'object' && !Array.isArray(additional)
            ? additional
            : undefined;
      checkPatterns(sub, v, [...path, k], out);
    }
  }
}

/**
 * A zod schema for a Kubernetes core type. Validation runs the upstream validator from
 * kubernetes-models; each of its errors becomes a zod issue at the nested field path. The CRD
 * generator replaces the schema with the derived structural schema of the same type.
 */
export function k8sType<K extends K8sTypeId>(id: K): z.ZodType<K8sTypes[K]> {
  const [, schemaName] = k8sValidators[id];
  return z
    .custom<K8sTypes[K]>(() => true)
    .superRefine((value, ctx) => {
      const validate = upstreamValidator(id);
      const issues: MappedIssue[] = [];
      if (!validate(value)) {
        issues.push(...mapErrors(validate.errors ?? [], value));
      } else {
        checkPatterns(coreSchemas[schemaName], value, [], issues);
      }
      for (const issue of issues) {
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: value });
      }
    })
    .meta({ [K8S_SCHEMA_META_KEY]: schemaName });
}
