export { RouteSecurity, McpAuthorizer, hasSecurityPolicies, ruleVariables } from './route-security.js';
export type {
  SecurityDecision,
  WellKnownAnswer,
  McpObjectKind,
  RouteSecurityOptions,
} from './route-security.js';
export { JwtAuthenticator } from './jwt-authenticator.js';
export type {
  JwtAuthenticatorOptions,
  JwtProvider,
  JwtResult,
  JwksSource,
  AuthMode,
} from './jwt-authenticator.js';
export { ApiKeyAuthenticator } from './api-key-authenticator.js';
export type { ApiKeyEntry, ApiKeyResult } from './api-key-authenticator.js';
export { BasicAuthenticator, verifyHash } from './basic-authenticator.js';
export type { BasicResult } from './basic-authenticator.js';
export { CelRuleSet } from './cel-rules.js';
export type { Rule, RuleVariables } from './cel-rules.js';
export { AuthConfigError } from './credential-location.js';
export type { CredentialLocation } from './credential-location.js';
export type { Identity, RequestView } from './request-view.js';
export {
  protectedResourceMetadata,
  bearerChallenge,
  PROTECTED_RESOURCE_PREFIX,
  AUTHORIZATION_SERVER_PREFIX,
} from './resource-metadata.js';
