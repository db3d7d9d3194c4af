export { AgentRunner, DEFAULT_MAX_ITERATIONS } from './agent-runner.js';
export type { AgentRunnerOptions } from './agent-runner.js';
export type { CancelInput, RunEvent, RunInput, RunOutcome } from './run-types.js';
export type {
  AgentTool,
  ToolCallContext,
  ToolInterrupt,
  ToolOutcome,
  ToolResumeInput,
  Toolset,
} from './agent-tool.js';
export { ASK_USER_TOOL_NAME, askUserToolDefinition } from './ask-user-tool.js';
export { McpToolset, toolResultText, isConnectionError } from './mcp-toolset.js';
export type { McpToolsetOptions } from './mcp-toolset.js';
export type { CoreLogger } from './core-logger.js';
export { silentLogger } from './core-logger.js';
export { decide } from './decision.js';
export type { CallDecision, ResumeInput } from './decision.js';
export { openPause, toChatHistory, compactionPreamble, INTERRUPTED_RESULT } from './history.js';
export { ContextCompactor, DEFAULT_SUMMARY_PROMPT } from './context-compaction.js';
export type { CompactionOptions } from './context-compaction.js';
export { newEvent } from './session-event.js';
export type {
  AssistantEvent,
  CancelEvent,
  CompactionEvent,
  PauseEvent,
  PendingCall,
  ResumeEvent,
  SessionEvent,
  ToolResultEvent,
  UserEvent,
} from './session-event.js';
export type { SessionRef, SessionStore, TaskRecordStore } from './session-store.js';
export { InMemorySessionStore } from './in-memory-session-store.js';
export type { InMemorySessionStoreOptions } from './in-memory-session-store.js';
export { ControllerSessionStore } from './controller-session-store.js';
export type { ControllerSessionStoreOptions } from './controller-session-store.js';
export { SessionStoreError } from './store-error.js';
export { KeyedLock } from './keyed-lock.js';
