// The entry an agent process starts from: everything here loads without the A2A SDK's server
// side, the executor or the tool loop (see createLazyAgentRuntime).
export { createLazyAgentRuntime } from './lazy-agent-runtime.js';
export type { LazyAgentRuntime } from './lazy-agent-runtime.js';
export type { AgentRuntimeOptions } from './runtime-setup.js';
export { startA2aServer } from './a2a-server.js';
export type { A2aServer, A2aServerOptions } from './a2a-server.js';
export type { A2aRequestListener } from './http-responses.js';
