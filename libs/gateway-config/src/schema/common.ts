import { z } from 'zod';
import { parseDurationMs } from '../duration.js';

/** A duration string (`1s`, `500ms`, `1m`) lowered to milliseconds. */
export const durationMs = z.string().transform((s, ctx) => {
  const ms = parseDurationMs(s);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid duration ${JSON.stringify(s)} (expected e.g. 500ms, 1s, 1m)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A port; a numeric string is accepted too (e.g. from `port: $PORT`). */
export const port = z
  .union([z.number(), z.string().regex(/^\d+$/, 'expected a port number').transform(Number)])
  .pipe(z.number().int().min(0).max(65535));
export const stringMap = z.record(z.string(), z.string());
/** A free-form JSON object, carried as is (e.g. LLM request defaults). */
export const looseObject = z.record(z.string(), z.unknown());

/** `{file: path}` or an inline string. */
export const fileOrInline = z.union([z.string(), z.strictObject({ file: z.string() })]);
/** `{file}`, `{url}` or an inline string (e.g. a JWKS). */
export const fileInlineOrRemote = z.union([
  z.string(),
  z.strictObject({ file: z.string() }),
  z.strictObject({ url: z.string() }),
]);

type Optionalize<V extends z.ZodRawShape> = { [K in keyof V]: z.ZodOptional<V[K]> };

/**
 * An object with common fields plus exactly one of several variant keys (agentgateway's
 * externally tagged unions, e.g. a backend is one of `host`, `mcp`, `ai`). Unknown keys are
 * rejected, and an object with none or several variant keys gets an error naming the choices.
 */
export function oneOfKeys<C extends z.ZodRawShape, V extends z.ZodRawShape>(
  what: string,
  common: C,
  variants: V,
) {
  const names = Object.keys(variants);
  const optional = Object.fromEntries(
    Object.entries(variants).map(([k, s]) => [k, (s as z.ZodType).optional()]),
  ) as unknown as Optionalize<V>;
  return z.strictObject({ ...common, ...optional }).superRefine((v, ctx) => {
    const rec = v as Record<string, unknown>;
    const present = names.filter((k) => rec[k] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `${what} needs exactly one of: ${names.join(', ')}`
            : `${what} takes only one of ${names.join(', ')} (found ${present.join(', ')})`,
      });
    }
  });
}

export const headerModifier = z.strictObject({
  add: stringMap.optional(),
  set: stringMap.optional(),
  remove: z.array(z.string()).optional(),
});

export const stringMatch = oneOfKeys('match', {}, { exact: z.string(), regex: z.string() });

export const authorizationLocation = oneOfKeys(
  'location',
  {},
  {
    header: z.strictObject({ name: z.string(), prefix: z.string().nullish() }),
    queryParameter: z.strictObject({ name: z.string() }),
    cookie: z.strictObject({ name: z.string() }),
    expression: z.string(),
  },
);

/** `{full}` / `{host}` / `{port}` or `auto` / `none`. */
export const hostRewrite = z.union([
  z.literal('auto'),
  z.literal('none'),
  oneOfKeys('authority', {}, { full: z.string(), host: z.string(), port }),
]);
export const pathRewrite = oneOfKeys('path', {}, { full: z.string(), prefix: z.string() });
