export { createA2aApp } from './create-a2a-app.js';
export type { CreateA2aAppOptions } from './create-a2a-app.js';
export type { A2aRequestListener } from './http-responses.js';
export { createCardRoutes } from './card-routes.js';
export { toLegacyAgentCard } from './to-legacy-agent-card.js';
export { startA2aServer } from './a2a-server.js';
export type { A2aServer, A2aServerOptions } from './a2a-server.js';
export { KagentExecutor } from './kagent-executor.js';
export type { KagentExecutorOptions } from './kagent-executor.js';
export { RecordTaskStore } from './record-task-store.js';
export type { RecordTaskStoreOptions } from './record-task-store.js';
export { toSdkAgentCard } from './to-sdk-agent-card.js';
export type { ToSdkAgentCardOptions } from './to-sdk-agent-card.js';
export {
  agentMessage,
  dataPart,
  readMessage,
  textPart,
  FUNCTION_CALL,
  FUNCTION_RESPONSE,
  KAGENT_TYPE,
  PARTIAL_KEY,
  REQUEST_CONFIRMATION,
} from './a2a-parts.js';
export { createAgentRuntime } from './create-agent-runtime.js';
export { createLazyAgentRuntime } from './lazy-agent-runtime.js';
export type { LazyAgentRuntime } from './lazy-agent-runtime.js';
export type { AgentRuntime, AgentRuntimeOptions } from './create-agent-runtime.js';
export { RetryingPushSender } from './retrying-push-sender.js';
export type { RetryingPushSenderOptions } from './retrying-push-sender.js';
export { RemoteAgentToolset } from './remote-agent-toolset.js';
export type { RemoteAgentToolsetOptions } from './remote-agent-toolset.js';
