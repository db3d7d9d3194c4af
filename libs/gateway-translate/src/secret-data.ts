import type { ConfigMap, Secret } from './k8s-types.js';

/** One value of a Secret, decoded (`stringData` wins over `data`, as the API server does). */
export function secretValue(secret: Secret, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (plain !== undefined) return plain;
  const encoded = secret.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

/** Every key of a Secret, sorted. */
export function secretKeys(secret: Secret): string[] {
  return [...new Set([...Object.keys(secret.data ?? {}), ...Object.keys(secret.stringData ?? {})])].sort();
}

export function configMapValue(configMap: ConfigMap, key: string): string | undefined {
  return configMap.data?.[key];
}
