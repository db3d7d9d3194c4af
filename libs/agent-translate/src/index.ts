// @agentplane/agent-translate: pure translation of kagent resources into the objects the
// controller applies. No I/O; references are looked up through a ReferenceResolver.
export { translateAgent, withRegistry, RUNTIME_ARGS } from './translate-agent.js';
export type { TranslateAgentInput, TranslateAgentResult, AgentOutputs } from './translate-agent.js';
export { translateModelConfig, tlsCaVolume, TLS_CA_MOUNT_ROOT } from './model-config.js';
export type { ModelTranslation } from './model-config.js';
export {
  DEFAULT_RUNTIME_COMMAND,
  DEFAULT_CONTROLLER_URL,
  DEFAULT_CONTROLLER_NAMESPACE,
} from './translate-options.js';
export type { TranslateOptions } from './translate-options.js';
export { TranslationError } from './translation-error.js';
export type { TranslationFailureReason } from './translation-error.js';
export { createObjectResolver, recordingResolver, referenceKindOf } from './reference-resolver.js';
export type { ReferenceResolver, ReferenceKind, ObjectReference } from './reference-resolver.js';
export { parseTranslateRequest, runTranslateRequest, TranslateRequestError } from './translate-request.js';
export type { TranslateRequest } from './translate-request.js';
export { buildAgentCard, A2A_PROTOCOL_VERSIONS } from './agent-card.js';
export type { AgentCardView } from './agent-card.js';
export { CONFIG_HASH_ANNOTATION } from './manifest.js';
export { remoteAgentToolName, AGENT_PORT } from './agent-tools.js';
export {
  mcpServiceEndpoint,
  MCP_SERVICE_PATH_ANNOTATION,
  MCP_SERVICE_PORT_ANNOTATION,
  MCP_SERVICE_PROTOCOL_ANNOTATION,
} from './mcp-tools.js';
export { resolveHeaders, secretData } from './value-refs.js';
export { renderPromptTemplate, PromptTemplateError } from './prompt-template.js';
export type { PromptTemplateContext } from './prompt-template.js';
export { canonicalQuantity } from './quantity.js';
export { parseGoDuration } from './go-duration.js';
export { goJson } from './go-json.js';
export type {
  ManifestObject,
  SecretObject,
  ServiceAccountObject,
  DeploymentObject,
  ServiceObject,
  OwnerReference,
} from './manifest-types.js';
