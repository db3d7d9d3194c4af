// @agentplane/mcpserver-translate: MCPServer (kagent.dev/v1alpha1) → desired objects and conditions.
export {
  translateMCPServer,
  referencedNames,
  MAIN_CONTAINER,
  COPY_ADAPTER_CONTAINER,
  type DesiredObject,
  type McpServerEndpoint,
  type TranslateResult,
} from './translate-mcp-server.js';
export { readyCondition, type DeploymentStatusView } from './ready-condition.js';
export { mcpServerUrl, transportOf } from './mcp-url.js';
export type { ConditionInput } from './conditions.js';
export type { ReferencedObject, ReferencedObjects, ReferencedNames } from './referenced-objects.js';
export { McpServerTranslateError, type TranslateErrorCode } from './translate-error.js';
export { MCP_SERVER_LABEL, selectorLabels, objectLabels } from './labels.js';
export {
  DEFAULT_ADAPTER_IMAGE,
  DEFAULT_IMAGES,
  DEFAULT_MANAGED_BY,
  CHILD_MODE_ANNOTATION,
  CONFIG_HASH_ANNOTATION,
  ADAPTER_DIR,
  ADAPTER_CONFIG_DIR,
  type TranslateOptions,
} from './translate-options.js';
export {
  adapterConfigSchema,
  ADAPTER_CONFIG_FILE,
  CHILD_MODES,
  type AdapterConfig,
  type AdapterConfigInput,
  type ChildMode,
} from './adapter-config.js';
