import type { ReferenceResolver } from './reference-resolver.js';

/** Header that tells the proxy which in-cluster host a request is for. */
export const PROXY_HOST_HEADER = 'x-kagent-host';

/**
 * Whether a URL points inside the cluster: `*.svc`, `*.cluster.local`, or `<name>.<namespace>`
 * for a namespace that exists (or is the agent's or the controller's).
 */
export function isInClusterUrl(
  url: URL,
  resolver: ReferenceResolver,
  knownNamespaces: readonly string[],
): boolean {
  const host = url.hostname.toLowerCase();
  if (host.endsWith('.svc') || host.endsWith('.cluster.local')) return true;
  const labels = host.split('.');
  if (labels.length !== 2) return false;
  const ns = labels[1] ?? '';
  return knownNamespaces.includes(ns) || resolver.get('Namespace', '', ns) !== undefined;
}

/** The proxy URL for a target URL: the proxy's origin with the target's path and query. */
export function proxiedUrl(proxyUrl: string, target: URL): string {
  const base = proxyUrl.replace(/\/+$/, '');
  const path = target.pathname === '/' && !target.search ? '' : `${target.pathname}${target.search}`;
  return `${base}${path}`;
}
