// `ai.transformations` / `ai.finalTransformations`: request body fields computed from CEL
// expressions. Each key names a body field (a dotted key such as `metadata.user_id` sets a nested
// field, creating the objects on the way); the expression's value replaces the field, and `null`
// removes it.
import { compileCel, type CelProgram } from './cel.js';
import { LlmGatewayError } from './errors.js';
import { isObject, type JsonObject } from './wire.js';

export interface BodyTransformation {
  /** The configured key (for error messages). */
  readonly key: string;
  /** The key split at its dots: the path of the field in the body. */
  readonly path: readonly string[];
  readonly program: CelProgram;
}

export type BodyTransformations = readonly BodyTransformation[];

/** A request-time failure of one expression; answered with status 500 in the caller's API format. */
export class TransformationError extends Error {}

function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key)}]`;
}

function configError(path: string, message: string, cause?: unknown): LlmGatewayError {
  return new LlmGatewayError('CONFIG', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

const cache = new WeakMap<Readonly<Record<string, string>>, BodyTransformations>();

/**
 * Compiles a `transformations` / `finalTransformations` map; throws a config error naming the key
 * path (`path` is the map's own path) when a key or expression is invalid. Cached per map object,
 * so the config load and the requests share one compilation.
 */
export function compileTransformations(
  spec: Readonly<Record<string, string>> | null | undefined,
  path: string,
): BodyTransformations | undefined {
  if (!spec) return undefined;
  const hit = cache.get(spec);
  if (hit) return hit;
  const out: BodyTransformation[] = [];
  for (const [key, expression] of Object.entries(spec)) {
    const at = keyPath(path, key);
    const parts = key.split('.');
    if (parts.some((p) => p === ''))
      throw configError(at, `invalid body field ${JSON.stringify(key)} (empty name or path segment)`);
    if (typeof expression !== 'string' || expression.trim() === '')
      throw configError(at, 'the CEL expression is empty');
    try {
      out.push({ key, path: parts, program: compileCel(expression) });
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0] ?? '';
      throw configError(
        at,
        `invalid CEL expression: ${msg} (values are CEL: write a literal as a quoted string, '"text"')`,
        e,
      );
    }
  }
  const compiled = out.length > 0 ? out : undefined;
  if (compiled) cache.set(spec, compiled);
  return compiled;
}

/** A CEL value as JSON; throws naming the CEL type when it has no JSON form. */
function toJson(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`the expression gave ${v}, which JSON cannot hold`);
    return v;
  }
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new Error(`the integer ${v} is too large for JSON`);
    return n;
  }
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Map) {
    const o: JsonObject = {};
    for (const [k, x] of v) o[String(k)] = toJson(x);
    return o;
  }
  if (typeof v === 'object') {
    const name = v.constructor?.name;
    // cel-js represents `uint` values as a wrapper holding the number.
    if (name === 'UnsignedInteger' && 'value' in v) return toJson(v.value);
    if (name === 'Object' || name === undefined) {
      const o: JsonObject = {};
      for (const [k, x] of Object.entries(v)) o[k] = toJson(x);
      return o;
    }
    throw new Error(
      `the expression gave a ${name === 'Uint8Array' ? 'bytes' : name} value, which has no JSON form`,
    );
  }
  throw new Error(`the expression gave a ${typeof v} value, which has no JSON form`);
}

function setPath(body: JsonObject, path: readonly string[], value: unknown): void {
  let node = body;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] as string;
    const next = node[k];
    if (isObject(next)) node = next;
    else if (value === null) return;
    else node = node[k] = {};
  }
  const leaf = path[path.length - 1] as string;
  if (value === null) delete node[leaf];
  else node[leaf] = value;
}

/**
 * Evaluates every expression against `vars` first, then writes the results into `body` (so no
 * expression sees another's result). Throws a TransformationError naming the field on failure.
 */
export function applyTransformations(
  ts: BodyTransformations,
  body: JsonObject,
  vars: Readonly<Record<string, unknown>>,
): void {
  const values = ts.map((t) => {
    try {
      return toJson(t.program(vars));
    } catch (e) {
      const msg = (e as Error).message.split('\n')[0] ?? 'evaluation failed';
      throw new TransformationError(`cannot compute request field ${JSON.stringify(t.key)}: ${msg}`);
    }
  });
  ts.forEach((t, i) => setPath(body, t.path, values[i]));
}
