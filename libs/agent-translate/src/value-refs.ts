import type { ValueRef, ValueSource } from '@agentplane/crds/kagent';
import type { ReferenceResolver } from './reference-resolver.js';
import { TranslationError } from './translation-error.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringEntries(map: unknown, decode: (v: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(map)) return out;
  for (const [k, v] of Object.entries(map)) if (typeof v === 'string') out[k] = decode(v);
  return out;
}

const fromBase64 = (v: string): string => Buffer.from(v, 'base64').toString('utf8');

/** A Secret's values, decoded (`data`, with `stringData` on top as the API server merges them). */
export function secretData(secret: unknown): Record<string, string> {
  if (!isRecord(secret)) return {};
  return { ...stringEntries(secret['data'], fromBase64), ...stringEntries(secret['stringData'], (v) => v) };
}

/** A ConfigMap's values (`data`, plus `binaryData` decoded as UTF-8). */
export function configMapData(configMap: unknown): Record<string, string> {
  if (!isRecord(configMap)) return {};
  return {
    ...stringEntries(configMap['binaryData'], fromBase64),
    ...stringEntries(configMap['data'], (v) => v),
  };
}

/** Reads all values of a Secret or ConfigMap, failing when it does not exist. */
export function readSourceData(
  resolver: ReferenceResolver,
  kind: 'Secret' | 'ConfigMap',
  namespace: string,
  name: string,
  field: string,
): Record<string, string> {
  const obj = resolver.get(kind, namespace, name);
  if (obj === undefined) {
    throw new TranslationError(
      kind === 'Secret' ? 'SecretNotFound' : 'ConfigMapNotFound',
      field,
      `${kind} ${namespace}/${name} not found`,
    );
  }
  return kind === 'Secret' ? secretData(obj) : configMapData(obj);
}

/** Reads one key of a Secret or ConfigMap, failing when the object or the key is missing. */
export function resolveValueSource(
  resolver: ReferenceResolver,
  namespace: string,
  source: ValueSource,
  field: string,
): string {
  const data = readSourceData(resolver, source.type, namespace, source.name, field);
  const value = data[source.key];
  if (value === undefined) {
    throw new TranslationError(
      source.type === 'Secret' ? 'SecretKeyNotFound' : 'ConfigMapKeyNotFound',
      field,
      `${source.type} ${namespace}/${source.name} has no key "${source.key}"`,
    );
  }
  return value;
}

/** Resolves `headersFrom` entries into a header map (later entries win). */
export function resolveHeaders(
  resolver: ReferenceResolver,
  namespace: string,
  refs: readonly ValueRef[] | undefined,
  field: string,
  into: Record<string, string> = {},
): Record<string, string> {
  (refs ?? []).forEach((ref, i) => {
    const path = `${field}[${i}]`;
    if (ref.valueFrom)
      into[ref.name] = resolveValueSource(resolver, namespace, ref.valueFrom, `${path}.valueFrom`);
    else into[ref.name] = ref.value ?? '';
  });
  return into;
}
