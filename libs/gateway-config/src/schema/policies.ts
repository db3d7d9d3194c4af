import { z } from 'zod';
import { aiPolicy, simpleBackendRef } from './ai.js';
import { backendAuth, backendTLS, unsupported } from './backend-security.js';
import {
  authorizationLocation,
  durationMs,
  fileInlineOrRemote,
  fileOrInline,
  headerModifier,
  hostRewrite,
  looseObject,
  oneOfKeys,
  pathRewrite,
  stringMap,
} from './common.js';

export const cors = z.strictObject({
  allowCredentials: z.boolean().optional(),
  allowHeaders: z.array(z.string()).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowOrigins: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: durationMs.nullish(),
});

export const rateLimitSpec = z.strictObject({
  maxTokens: z.number().int().min(0).optional(),
  tokensPerFill: z.number().int().min(0).optional(),
  fillInterval: durationMs,
  type: z.enum(['requests', 'tokens']).optional(),
});
export const localRateLimit = z.array(rateLimitSpec);
/** Agentplane extension: token buckets shared by every replica (Redis; in-process without one). */
export const globalRateLimit = z.array(rateLimitSpec);

export const timeout = z.strictObject({
  requestTimeout: durationMs.nullish(),
  backendRequestTimeout: durationMs.nullish(),
});

export const retry = z.strictObject({
  attempts: z.number().int().min(0).max(255).optional(),
  backoff: durationMs.nullish(),
  codes: z.array(z.number().int().min(100).max(599)),
  precondition: unsupported('retry.precondition').optional(),
  condition: unsupported('retry.condition').optional(),
});

const bytes = z.union([z.string(), z.array(z.number().int().min(0).max(255))]);
const directResponseSpec = {
  body: bytes.optional(),
  bodyExpression: unsupported('directResponse.bodyExpression').optional(),
  headers: stringMap.optional(),
  status: z.number().int().min(100).max(599),
};
export const directResponse = z.union([
  z.strictObject(directResponseSpec),
  z.strictObject({ conditional: unsupported('conditional directResponse') }),
]);

export const urlRewrite = z.strictObject({ authority: hostRewrite.nullish(), path: pathRewrite.nullish() });
export const requestRedirect = z.strictObject({
  scheme: z.string().nullish(),
  authority: hostRewrite.nullish(),
  path: pathRewrite.nullish(),
  status: z.number().int().min(300).max(399).nullish(),
});

const jwtValidationOptions = z.strictObject({ requiredClaims: z.array(z.string()).optional() });
const jwtProvider = {
  issuer: z.string(),
  audiences: z.array(z.string()).nullish(),
  jwks: fileInlineOrRemote,
  jwtValidationOptions: jwtValidationOptions.optional(),
};
const authMode = z.enum(['strict', 'optional', 'permissive']);
export const jwtAuth = z.union([
  z.strictObject({
    mode: authMode.optional(),
    location: authorizationLocation.optional(),
    providers: z.array(z.strictObject(jwtProvider)),
  }),
  z.strictObject({ mode: authMode.optional(), location: authorizationLocation.optional(), ...jwtProvider }),
]);

export const basicAuth = z.strictObject({
  htpasswd: fileOrInline,
  realm: z.string().nullish(),
  mode: z.enum(['strict', 'optional']).optional(),
  authorizationLocation: authorizationLocation.optional(),
});

const apiKeyEntry = z.union([
  z.strictObject({
    key: z.string(),
    metadata: z.unknown().optional(),
    allowedModels: z.array(z.string()).nullish(),
  }),
  z.strictObject({
    keyHash: z.string(),
    metadata: z.unknown().optional(),
    allowedModels: z.array(z.string()).nullish(),
  }),
]);
export const apiKey = z.strictObject({
  keys: z.array(apiKeyEntry),
  mode: authMode.optional(),
  location: authorizationLocation.optional(),
});

/** A CEL rule: a bare expression (allow) or `{allow|deny|require: expr}`. */
const rule = z.union([
  z.string(),
  oneOfKeys('rule', {}, { allow: z.string(), deny: z.string(), require: z.string() }),
]);
export const ruleSet = z.strictObject({ rules: z.array(rule) });

export const mcpAuthentication = z.strictObject({
  issuer: z.string(),
  audiences: z.array(z.string()),
  provider: oneOfKeys(
    'provider',
    {},
    {
      auth0: looseObject,
      keycloak: looseObject,
      okta: looseObject,
      descope: looseObject,
      authentik: looseObject,
      entra: looseObject,
    },
  ).nullish(),
  resourceMetadata: looseObject,
  jwks: fileInlineOrRemote.nullish(),
  mode: authMode.optional(),
  authorizationLocation: authorizationLocation.optional(),
  jwtValidationOptions: jwtValidationOptions.optional(),
  clientId: z.string().nullish(),
  clientSecret: z.string().nullish(),
});

export const a2aPolicy = z.strictObject({});

export const backendHttp = z.strictObject({
  version: z.string().nullish(),
  requestTimeout: durationMs.nullish(),
});
export const backendTcp = z.strictObject({
  keepalives: looseObject,
  connectTimeout: durationMs,
});

/** Transport policies for an MCP target's connection (agentgateway's SimpleLocalBackendPolicies). */
export const simpleBackendPolicies = z.strictObject({
  requestHeaderModifier: headerModifier.nullish(),
  transformations: unsupported('transformations').optional(),
  backendTLS: backendTLS.nullish(),
  backendAuth: backendAuth.nullish(),
  http: backendHttp.nullish(),
  tcp: backendTcp.nullish(),
  backendTunnel: unsupported('backendTunnel').optional(),
});

/** Policies attached to one backend of a route (agentgateway's LocalBackendPolicies). */
export const backendPolicies = simpleBackendPolicies.extend({
  responseHeaderModifier: headerModifier.nullish(),
  requestRedirect: requestRedirect.nullish(),
  health: unsupported('health').optional(),
  extAuthz: unsupported('extAuthz').optional(),
  authorization: ruleSet.nullish(),
  mcpAuthorization: ruleSet.nullish(),
  mcpGuardrails: unsupported('mcpGuardrails').optional(),
  a2a: a2aPolicy.nullish(),
  inferenceRouting: unsupported('inferenceRouting').optional(),
  sessionAffinity: unsupported('sessionAffinity').optional(),
  ai: aiPolicy.nullish(),
});

/** Route (and `mcp:` shorthand) policies: agentgateway's FilterOrPolicy. */
export const routePolicies = z.strictObject({
  requestHeaderModifier: headerModifier.nullish(),
  responseHeaderModifier: headerModifier.nullish(),
  requestRedirect: requestRedirect.nullish(),
  urlRewrite: urlRewrite.nullish(),
  requestMirror: z
    .strictObject({ backend: simpleBackendRef, percentage: z.number().min(0).max(100) })
    .nullish(),
  directResponse: directResponse.nullish(),
  cors: cors.nullish(),
  mcpAuthorization: ruleSet.nullish(),
  mcpGuardrails: unsupported('mcpGuardrails').optional(),
  authorization: ruleSet.nullish(),
  mcpAuthentication: mcpAuthentication.nullish(),
  a2a: a2aPolicy.nullish(),
  ai: aiPolicy.nullish(),
  backendTLS: backendTLS.nullish(),
  backendTunnel: unsupported('backendTunnel').optional(),
  backendAuth: backendAuth.nullish(),
  localRateLimit: localRateLimit.nullish(),
  globalRateLimit: globalRateLimit.nullish(),
  remoteRateLimit: unsupported('remoteRateLimit').optional(),
  jwtAuth: jwtAuth.nullish(),
  oidc: unsupported('oidc').optional(),
  basicAuth: basicAuth.nullish(),
  apiKey: apiKey.nullish(),
  extAuthz: unsupported('extAuthz').optional(),
  extProc: unsupported('extProc').optional(),
  transformations: unsupported('transformations').optional(),
  csrf: unsupported('csrf').optional(),
  buffer: unsupported('buffer').optional(),
  timeout: timeout.nullish(),
  retry: retry.nullish(),
  delay: unsupported('delay').optional(),
});

/** Listener (gateway-level) policies: agentgateway's LocalGatewayPolicy. */
export const listenerPolicies = z.strictObject({
  oidc: unsupported('oidc').optional(),
  jwtAuth: jwtAuth.nullish(),
  authorization: ruleSet.nullish(),
  extAuthz: unsupported('extAuthz').optional(),
  extProc: unsupported('extProc').optional(),
  cors: cors.nullish(),
  transformations: unsupported('transformations').optional(),
  basicAuth: basicAuth.nullish(),
  apiKey: apiKey.nullish(),
});
