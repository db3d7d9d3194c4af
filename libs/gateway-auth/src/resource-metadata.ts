// RFC 9728 OAuth 2.0 protected resource metadata for MCP routes with mcpAuthentication.

export const PROTECTED_RESOURCE_PREFIX = '/.well-known/oauth-protected-resource';
export const AUTHORIZATION_SERVER_PREFIX = '/.well-known/oauth-authorization-server';

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * The metadata document: the configured `resourceMetadata` with its keys in the RFC's snake case
 * (`scopesSupported` → `scopes_supported`), plus `authorization_servers` (the issuer) when not set.
 */
export function protectedResourceMetadata(opts: {
  readonly issuer: string;
  readonly resourceMetadata: Readonly<Record<string, unknown>>;
  /** Used for `resource` when the config does not name one. */
  readonly defaultResource: string;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts.resourceMetadata)) out[camelToSnake(k)] = v;
  out.resource ??= opts.defaultResource;
  out.authorization_servers ??= [opts.issuer];
  return out;
}

/** The `WWW-Authenticate` value of a 401 from an MCP route. */
export function bearerChallenge(metadataUrl: string, error?: 'invalid_token'): string {
  return `Bearer${error ? ` error="${error}",` : ''} resource_metadata="${metadataUrl}"`;
}
