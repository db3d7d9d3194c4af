// Hostname matching between listeners and routes, per the Gateway API rules.

/** Whether a (possibly wildcard) pattern `*.example.com` covers a hostname. */
function wildcardCovers(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const suffix = pattern.slice(1); // ".example.com"
  if (host.startsWith('*.')) return host.endsWith(suffix) && host.length >= pattern.length;
  return host.endsWith(suffix) && host.length > suffix.length;
}

/**
 * The hostnames a route serves on a listener: the intersection of the route's hostnames with the
 * listener's. Returns undefined when they do not intersect; an empty list means "any host".
 */
export function effectiveHostnames(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[] | undefined,
): string[] | undefined {
  const routes = routeHostnames ?? [];
  if (listenerHostname === undefined || listenerHostname === '') return [...routes];
  if (routes.length === 0) return [listenerHostname];
  const out = new Set<string>();
  for (const h of routes) {
    if (wildcardCovers(listenerHostname, h)) out.add(h);
    else if (wildcardCovers(h, listenerHostname)) out.add(listenerHostname);
  }
  return out.size === 0 ? undefined : [...out].sort();
}
