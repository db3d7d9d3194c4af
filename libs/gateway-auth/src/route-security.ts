import type { TrafficPolicies } from '@agentplane/gateway-config';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { BasicAuthenticator } from './basic-authenticator.js';
import { CelRuleSet, type RuleVariables } from './cel-rules.js';
import type { CredentialLocation } from './credential-location.js';
import { JwtAuthenticator, type AuthMode, type JwksSource } from './jwt-authenticator.js';
import type { Identity, RequestView } from './request-view.js';
import {
  AUTHORIZATION_SERVER_PREFIX,
  bearerChallenge,
  PROTECTED_RESOURCE_PREFIX,
  protectedResourceMetadata,
} from './resource-metadata.js';

export type SecurityDecision =
  | { readonly kind: 'allow'; readonly identity: Identity; readonly mcp?: McpAuthorizer }
  | {
      readonly kind: 'deny';
      readonly status: 401 | 403;
      readonly message: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** What the protected-resource / authorization-server well-known paths answer. */
export type WellKnownAnswer =
  | { readonly kind: 'metadata'; readonly body: Record<string, unknown> }
  | { readonly kind: 'authorization-server'; readonly issuer: string; readonly provider?: string };

export type McpObjectKind = 'tool' | 'prompt' | 'resource';

/** `mcpAuthorization` rules bound to one request's identity. */
export class McpAuthorizer {
  constructor(
    private readonly rules: CelRuleSet,
    private readonly base: RuleVariables,
  ) {}

  allows(kind: McpObjectKind, name: string, target: string): boolean {
    const obj = kind === 'resource' ? { name, uri: name, target } : { name, target };
    return this.rules.allows({ ...this.base, mcp: { [kind]: obj } });
  }
}

export interface RouteSecurityOptions {
  /** Folder relative JWKS / htpasswd files are read from. */
  readonly baseDir?: string;
}

const SECURITY_KEYS = [
  'jwtAuth',
  'mcpAuthentication',
  'apiKey',
  'basicAuth',
  'authorization',
  'mcpAuthorization',
] as const;

export function hasSecurityPolicies(p: TrafficPolicies): boolean {
  return SECURITY_KEYS.some((k) => p[k] !== undefined);
}

/**
 * The authentication and authorization policies of one route (listener + route, merged), built
 * once per config. `check` authenticates a request (JWT, MCP OAuth, API key, basic auth), then
 * applies the route's `authorization` rules; MCP routes also get an authorizer for their
 * `mcpAuthorization` rules, applied per tool/prompt/resource.
 */
export class RouteSecurity {
  private readonly jwt?: { auth: JwtAuthenticator; mode: AuthMode };
  private readonly mcpAuth?: {
    auth: JwtAuthenticator;
    mode: AuthMode;
    issuer: string;
    provider?: string;
    resourceMetadata: Record<string, unknown>;
  };
  private readonly apiKey?: { auth: ApiKeyAuthenticator; mode: AuthMode };
  private readonly basic?: { auth: BasicAuthenticator; mode: 'strict' | 'optional' };
  private readonly authorization?: CelRuleSet;
  private readonly mcpRules?: CelRuleSet;

  constructor(p: TrafficPolicies, opts: RouteSecurityOptions = {}) {
    const base = opts.baseDir ? { baseDir: opts.baseDir } : {};
    if (p.jwtAuth) {
      const j = p.jwtAuth;
      const providers = 'providers' in j ? j.providers : [j];
      this.jwt = {
        mode: j.mode ?? 'optional',
        auth: new JwtAuthenticator({
          ...base,
          location: j.location as CredentialLocation | undefined,
          providers: providers.map((x) => ({
            issuer: x.issuer,
            audiences: x.audiences,
            jwks: x.jwks,
            requiredClaims: x.jwtValidationOptions?.requiredClaims,
          })),
        }),
      };
    }
    if (p.mcpAuthentication) {
      const m = p.mcpAuthentication;
      const provider = m.provider ? Object.keys(m.provider)[0] : undefined;
      const jwks: JwksSource =
        m.jwks ??
        ({
          url:
            provider === 'keycloak'
              ? `${m.issuer.replace(/\/$/, '')}/protocol/openid-connect/certs`
              : `${m.issuer.replace(/\/$/, '')}/.well-known/jwks.json`,
        } as const);
      this.mcpAuth = {
        mode: m.mode ?? 'strict',
        issuer: m.issuer,
        ...(provider ? { provider } : {}),
        resourceMetadata: m.resourceMetadata,
        auth: new JwtAuthenticator({
          ...base,
          location: m.authorizationLocation as CredentialLocation | undefined,
          providers: [
            {
              issuer: m.issuer,
              audiences: m.audiences,
              jwks,
              requiredClaims: m.jwtValidationOptions?.requiredClaims,
            },
          ],
        }),
      };
    }
    if (p.apiKey) {
      this.apiKey = {
        mode: p.apiKey.mode ?? 'optional',
        auth: new ApiKeyAuthenticator({
          keys: p.apiKey.keys,
          location: p.apiKey.location as CredentialLocation | undefined,
        }),
      };
    }
    if (p.basicAuth) {
      this.basic = {
        mode: p.basicAuth.mode ?? 'optional',
        auth: new BasicAuthenticator({
          ...base,
          htpasswd: p.basicAuth.htpasswd,
          realm: p.basicAuth.realm,
          location: p.basicAuth.authorizationLocation as CredentialLocation | undefined,
        }),
      };
    }
    if (p.authorization) this.authorization = CelRuleSet.compile(p.authorization);
    if (p.mcpAuthorization) this.mcpRules = CelRuleSet.compile(p.mcpAuthorization);
  }

  /**
   * Answers the OAuth well-known paths of an MCP route with mcpAuthentication (they need no
   * token): protected-resource metadata, or the issuer's authorization-server metadata.
   */
  wellKnown(req: RequestView): WellKnownAnswer | undefined {
    const m = this.mcpAuth;
    if (!m || req.method !== 'GET') return undefined;
    if (req.path.startsWith(PROTECTED_RESOURCE_PREFIX)) {
      const resourcePath = req.path.slice(PROTECTED_RESOURCE_PREFIX.length) || '/';
      return {
        kind: 'metadata',
        body: protectedResourceMetadata({
          issuer: m.issuer,
          resourceMetadata: m.resourceMetadata,
          defaultResource: `${req.scheme}://${req.host}${resourcePath}`,
        }),
      };
    }
    if (req.path.startsWith(AUTHORIZATION_SERVER_PREFIX))
      return {
        kind: 'authorization-server',
        issuer: m.issuer,
        ...(m.provider ? { provider: m.provider } : {}),
      };
    return undefined;
  }

  async check(req: RequestView, externalBase: string): Promise<SecurityDecision> {
    const identity: Identity = {};
    const deny = (status: 401 | 403, message: string, headers: Record<string, string> = {}) =>
      ({ kind: 'deny', status, message, headers }) as const;

    if (this.mcpAuth) {
      const m = this.mcpAuth;
      const r = await m.auth.authenticate(req);
      const challenge = (err?: 'invalid_token') => ({
        'www-authenticate': bearerChallenge(`${externalBase}${PROTECTED_RESOURCE_PREFIX}${req.path}`, err),
      });
      if (r.kind === 'valid') identity.jwt = r.claims;
      else if (m.mode === 'strict')
        return r.kind === 'absent'
          ? deny(401, 'authentication required', challenge())
          : deny(401, `invalid token: ${r.reason}`, challenge('invalid_token'));
      else if (m.mode === 'optional' && r.kind === 'invalid') return deny(403, `invalid token: ${r.reason}`);
    }
    if (this.jwt) {
      const r = await this.jwt.auth.authenticate(req);
      if (r.kind === 'valid') identity.jwt = r.claims;
      else if (this.jwt.mode === 'strict' || (this.jwt.mode === 'optional' && r.kind === 'invalid'))
        return deny(401, r.kind === 'absent' ? 'authentication required' : `invalid token: ${r.reason}`, {
          'www-authenticate': r.kind === 'absent' ? 'Bearer' : 'Bearer error="invalid_token"',
        });
    }
    if (this.basic) {
      const r = await this.basic.auth.authenticate(req);
      if (r.kind === 'valid') identity.basicAuth = { username: r.username };
      else if (this.basic.mode === 'strict' || r.kind === 'invalid')
        return deny(401, r.kind === 'absent' ? 'authentication required' : 'invalid credentials', {
          'www-authenticate': `Basic realm="${this.basic.auth.realm.replace(/"/g, '')}"`,
        });
    }
    if (this.apiKey) {
      const r = this.apiKey.auth.authenticate(req);
      if (r.kind === 'valid') identity.apiKey = r.metadata;
      else if (this.apiKey.mode === 'strict' || (this.apiKey.mode === 'optional' && r.kind === 'invalid'))
        return deny(401, r.kind === 'absent' ? 'API key required' : 'invalid API key');
    }

    const vars = ruleVariables(req, identity);
    if (this.authorization && !this.authorization.allows(vars)) return deny(403, 'access denied');
    return {
      kind: 'allow',
      identity,
      ...(this.mcpRules ? { mcp: new McpAuthorizer(this.mcpRules, vars) } : {}),
    };
  }
}

/**
 * A request's CEL variables (`request`, `source`, `jwt`, `apiKey`, `basicAuth`), as `authorization`
 * rules see them; protocol handlers evaluate their own expressions against the same view.
 */
export function ruleVariables(req: RequestView, id: Identity): RuleVariables {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    request: {
      method: req.method,
      path: req.path,
      uri: req.query ? `${req.path}?${req.query}` : req.path,
      host: req.host,
      scheme: req.scheme,
      headers,
    },
    source: { address: req.sourceAddress, port: BigInt(req.sourcePort) },
    ...(id.jwt ? { jwt: id.jwt } : {}),
    ...(id.apiKey ? { apiKey: id.apiKey } : {}),
    ...(id.basicAuth ? { basicAuth: { username: id.basicAuth.username } } : {}),
  };
}
