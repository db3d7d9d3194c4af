import type { IncomingHttpHeaders } from 'node:http';

/** What the authenticators and rules see of an HTTP request. */
export interface RequestView {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** Query string without `?` ('' when none). */
  readonly query: string;
  readonly host: string;
  readonly scheme: 'http' | 'https';
  /** Lower-case names, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly sourceAddress: string;
  readonly sourcePort: number;
}

/** The identity established by the authentication policies of a route. */
export interface Identity {
  /** Verified JWT claims. */
  jwt?: Record<string, unknown>;
  /** Metadata of the matched API key (never the key itself). */
  apiKey?: Record<string, unknown>;
  basicAuth?: { readonly username: string };
}

export function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
