import type { CorsModel } from '@agentplane/gateway-config';

export type CorsOutcome =
  | { readonly kind: 'none' }
  /** A preflight: answer it directly with these headers. */
  | { readonly kind: 'preflight'; readonly headers: Record<string, string> }
  /** A simple/actual request: add these headers to the response. */
  | { readonly kind: 'actual'; readonly headers: Record<string, string> };

function originAllowed(c: CorsModel, origin: string): boolean {
  return c.allowOrigins.some((o) => {
    if (o === '*') return true;
    if (o.includes('*')) {
      const re = new RegExp(`^${o.split('*').map(escape).join('[^/]*')}$`);
      return re.test(origin);
    }
    return o === origin;
  });
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Evaluates a CORS policy for a request (method, Origin, preflight headers). Pure. */
export function evaluateCors(
  c: CorsModel,
  method: string,
  header: (name: string) => string | undefined,
): CorsOutcome {
  const origin = header('origin');
  if (origin === undefined || !originAllowed(c, origin)) return { kind: 'none' };
  const wildcard = c.allowOrigins.includes('*') && !c.allowCredentials;
  const base: Record<string, string> = { 'access-control-allow-origin': wildcard ? '*' : origin };
  if (!wildcard) base.vary = 'Origin';
  if (c.allowCredentials) base['access-control-allow-credentials'] = 'true';
  const requestedMethod = header('access-control-request-method');
  if (method === 'OPTIONS' && requestedMethod !== undefined) {
    const h = { ...base };
    if (c.allowMethods.length > 0) h['access-control-allow-methods'] = c.allowMethods.join(',');
    else h['access-control-allow-methods'] = requestedMethod;
    if (c.allowHeaders.includes('*')) {
      const requested = header('access-control-request-headers');
      if (requested) h['access-control-allow-headers'] = requested;
    } else if (c.allowHeaders.length > 0) h['access-control-allow-headers'] = c.allowHeaders.join(',');
    if (c.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(c.maxAgeSeconds);
    return { kind: 'preflight', headers: h };
  }
  if (c.exposeHeaders.length > 0) base['access-control-expose-headers'] = c.exposeHeaders.join(',');
  return { kind: 'actual', headers: base };
}
