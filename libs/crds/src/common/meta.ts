import { z } from 'zod';
import type { JsonValue } from '../k8s/json-schema.js';

/**
 * JSON-schema metadata keys understood by the CRD generator. Values set with `.meta()` are copied
 * into the generated schema; the `x-agentplane-*` keys are instructions to the generator and are
 * removed from the output.
 */
export const PARSE_ONLY_DEFAULT = 'x-agentplane-parse-only-default';

/**
 * A default that parsing applies but the CRD does not declare (the upstream CRD leaves the field
 * empty and the controller fills it in), so objects stored in the cluster stay as the user wrote them.
 */
export function parseOnlyDefault<T extends z.ZodType>(schema: T, value: NonNullable<z.input<T>>) {
  return schema.default(value as never).meta({ [PARSE_ONLY_DEFAULT]: true });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object whose content is kept as is (`x-kubernetes-preserve-unknown-fields`). */
export function preservedObject() {
  return z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'must be an object' })
    .meta({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
}

/** Any JSON value, kept as is (`x-kubernetes-preserve-unknown-fields` without a type). */
export function anyJson() {
  return z
    .custom<JsonValue>((v) => v !== undefined, { message: 'must be a JSON value' })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true });
}

/** An integer or a string (`x-kubernetes-int-or-string`), such as a port name or number. */
export function intOrString() {
  return z
    .custom<number | string>((v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'string', {
      message: 'must be an integer or a string',
    })
    .meta({ 'x-kubernetes-int-or-string': true });
}

/** A string → string map (labels, annotations, headers...). */
export const stringMap = () => z.record(z.string(), z.string());

/** A 32-bit integer. */
export const int32 = () => z.int32().meta({ format: 'int32' });

/** A 64-bit integer (as JSON numbers carry it). */
export const int64 = () => z.int().meta({ format: 'int64' });

/** A refinement limiting how many keys a map may have (`maxProperties`). */
export function maxProperties(max: number) {
  return (map: Record<string, unknown>, ctx: z.core.$RefinementCtx): void => {
    const n = Object.keys(map).length;
    if (n > max)
      ctx.addIssue({ code: 'custom', message: `has ${n} entries; at most ${max} are allowed`, input: map });
  };
}
