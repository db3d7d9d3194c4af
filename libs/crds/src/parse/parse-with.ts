import { apiVersionOf, type ResourceDefinition } from '../definition.js';
import { normalizeAgent } from './normalize-agent.js';
import type { ParseResult } from './parse-result.js';
import { prunedFields } from './pruned-fields.js';
import { ResourceValidationError } from './resource-validation-error.js';
import { toResourceIssues } from './zod-issues.js';

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `namespace/name` (or `name`) of a resource, for messages. */
export function nameOf(obj: Record<string, unknown>): string | undefined {
  const meta = obj['metadata'];
  if (!isPlainObject(meta)) return undefined;
  const name = meta['name'];
  const ns = meta['namespace'];
  if (typeof name !== 'string') return undefined;
  return typeof ns === 'string' ? `${ns}/${name}` : name;
}

/** Validates `input` against the definition's schema, pruning unknown fields. */
export function parseWith<T>(def: ResourceDefinition, input: Record<string, unknown>): ParseResult<T> {
  const normalized = def.kind === 'Agent' ? normalizeAgent(input) : { value: input, warnings: [] };
  const result = def.schema.safeParse(normalized.value, { reportInput: true });
  if (!result.success) {
    return {
      ok: false,
      error: new ResourceValidationError({
        code: 'INVALID_RESOURCE',
        kind: def.kind,
        resourceName: nameOf(input),
        issues: toResourceIssues(result.error.issues),
      }),
    };
  }
  return {
    ok: true,
    value: result.data as T,
    warnings: [...normalized.warnings, ...prunedFields(normalized.value, result.data)],
  };
}

/** The parser of one kind among `definitions`. */
export function parserFor<T extends { kind: string }>(
  definitions: readonly ResourceDefinition[],
  kind: T['kind'],
): (input: unknown) => ParseResult<T> {
  const def = definitions.find((d) => d.kind === kind);
  if (!def) throw new Error(`no definition for ${kind}`);
  const apiVersion = apiVersionOf(def);
  return (input: unknown) => {
    if (!isPlainObject(input)) {
      return {
        ok: false,
        error: new ResourceValidationError({
          code: 'NOT_AN_OBJECT',
          kind,
          issues: [{ path: '', message: `a ${kind} must be an object` }],
        }),
      };
    }
    // apiVersion and kind may be omitted when the caller already knows what the object is.
    return parseWith<T>(def, { apiVersion, kind, ...input });
  };
}
