import type { ObjectIndex } from './object-index.js';
import { secretKeys, secretValue } from './secret-data.js';

/** Problems found while translating one object: each names the field path and what is wrong. */
export class Problems {
  readonly #items: string[] = [];

  add(message: string): void {
    this.#items.push(message);
  }

  /** Reports every key of `obj` that this gateway does not implement. */
  unsupportedKeys(obj: object | undefined, supported: readonly string[], path: string): void {
    if (obj === undefined) return;
    for (const [k, v] of Object.entries(obj)) {
      if (v !== undefined && !supported.includes(k))
        this.add(`${path}.${k} is not supported by this gateway yet`);
    }
  }

  get list(): readonly string[] {
    return this.#items;
  }

  get empty(): boolean {
    return this.#items.length === 0;
  }
}

/** What a translation step needs besides its own object. */
export interface TranslateContext {
  readonly index: ObjectIndex;
  readonly clusterDomain: string;
}

/** The cluster DNS name of a Service. */
export function serviceHost(ctx: TranslateContext, namespace: string, name: string): string {
  return `${name}.${namespace}.svc.${ctx.clusterDomain}`;
}

/**
 * Reads one value of a Secret in `namespace`; without a key, the Secret must hold exactly one.
 * Reports a problem (never the value) when it is missing.
 */
export function readSecret(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  ref: { name: string; key?: string | undefined },
  path: string,
  defaultKeys: readonly string[] = [],
): string | undefined {
  const secret = ctx.index.secret({ namespace, name: ref.name });
  if (secret === undefined) {
    problems.add(`${path}: Secret ${namespace}/${ref.name} not found`);
    return undefined;
  }
  const keys = ref.key !== undefined ? [ref.key] : defaultKeys;
  for (const k of keys) {
    const v = secretValue(secret, k);
    if (v !== undefined) return v;
  }
  if (ref.key === undefined) {
    const all = secretKeys(secret);
    if (all.length === 1 && all[0] !== undefined) return secretValue(secret, all[0]);
  }
  problems.add(
    `${path}: Secret ${namespace}/${ref.name} has no key ${keys.length > 0 ? keys.join(' or ') : '(exactly one expected)'}`,
  );
  return undefined;
}

/** A `{kind Service, name, namespace, port}` reference resolved to host and port. */
export function resolveServiceRef(
  ctx: TranslateContext,
  problems: Problems,
  namespace: string,
  ref: {
    group?: string;
    kind?: string;
    name: string;
    namespace?: string | undefined;
    port?: number | undefined;
  },
  path: string,
): { host: string; port: number } | undefined {
  const kind = ref.kind ?? 'Service';
  if ((ref.group ?? '') !== '' || kind !== 'Service') {
    problems.add(`${path}: only Service references are supported here, not ${kind}`);
    return undefined;
  }
  const ns = ref.namespace ?? namespace;
  if (ns !== namespace) {
    problems.add(`${path}: cross-namespace references are not supported here`);
    return undefined;
  }
  if (ref.port === undefined) {
    problems.add(`${path}.port is required`);
    return undefined;
  }
  if (ctx.index.service({ namespace: ns, name: ref.name }) === undefined) {
    problems.add(`${path}: Service ${ns}/${ref.name} not found`);
    return undefined;
  }
  return { host: serviceHost(ctx, ns, ref.name), port: ref.port };
}

/** Sorts an object's keys recursively, so encodings of JSON values are deterministic. */
export function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortedJson((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
