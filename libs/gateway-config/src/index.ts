export { loadConfig, validateConfig, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { ConfigError, type ConfigErrorCode, type ConfigIssue } from './errors.js';
export { redactSecrets } from './redact.js';
export { parseModelCatalog } from './model-catalog.js';
export { parseDurationMs } from './duration.js';
export { parseHostPort, DEFAULT_LLM_PORT, DEFAULT_MCP_PORT } from './lower-local-config.js';
export type {
  AiBackendModel,
  BackendAuthModel,
  BackendModel,
  BackendTlsModel,
  BindModel,
  CorsModel,
  FrontendSettings,
  GatewayModel,
  HeaderModifierModel,
  HostBackendModel,
  HostRewriteModel,
  ListenerModel,
  LlmBackendModel,
  McpBackendModel,
  McpPrefixMode,
  McpTargetModel,
  McpTransport,
  ModelCatalogModel,
  ModelCatalogSourceModel,
  PathRewriteModel,
  RateLimitModel,
  RouteBackendModel,
  RouteMatchModel,
  RouteModel,
  RuleModel,
  StaticSettings,
  StringMatcher,
  TrafficPolicies,
} from './model.js';
