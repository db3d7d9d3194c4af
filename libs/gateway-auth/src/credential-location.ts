import { headerValue, type RequestView } from './request-view.js';

/** agentgateway's AuthorizationLocation: where a credential is read from. */
export type CredentialLocation =
  | { readonly header: { readonly name: string; readonly prefix?: string | null | undefined } }
  | { readonly queryParameter: { readonly name: string } }
  | { readonly cookie: { readonly name: string } }
  | { readonly expression: string };

export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
  readonly code = 'AUTH_CONFIG_INVALID';
}

/** Returns a reader for the credential, or throws AuthConfigError for locations we cannot read. */
export function credentialReader(
  location: CredentialLocation | undefined,
  defaultPrefix: string,
): (req: RequestView) => string | undefined {
  const loc = location ?? { header: { name: 'authorization', prefix: defaultPrefix } };
  if ('header' in loc) {
    const name = loc.header.name.toLowerCase();
    const prefix = loc.header.prefix ?? '';
    return (req) => {
      const v = headerValue(req.headers, name);
      if (v === undefined) return undefined;
      if (prefix === '') return v.trim() || undefined;
      // Scheme names compare without case (RFC 9110).
      if (v.length < prefix.length || v.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase())
        return undefined;
      return v.slice(prefix.length).trim() || undefined;
    };
  }
  if ('queryParameter' in loc) {
    const name = loc.queryParameter.name;
    return (req) => new URLSearchParams(req.query).get(name) ?? undefined;
  }
  if ('cookie' in loc) {
    const name = loc.cookie.name;
    return (req) => {
      const cookies = headerValue(req.headers, 'cookie');
      if (!cookies) return undefined;
      for (const part of cookies.split(';')) {
        const i = part.indexOf('=');
        if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
      }
      return undefined;
    };
  }
  throw new AuthConfigError('credential location "expression" is not supported by this gateway yet');
}
